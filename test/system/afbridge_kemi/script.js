// The afbridge test LB in JavaScript: KSR.afbridge.af_set_socket() and
// af_bridge0() in the request, reply and failure routes.

function relay()
{
	KSR.afbridge.af_set_socket();
	if (KSR.afbridge.af_bridge0() == -2 && KSR.is_INVITE()) {
		KSR.sl.send_reply(503, "Media relay unavailable");
		return;
	}
	KSR.tm.t_on_reply("ksr_onreply_bridge");
	KSR.tm.t_on_failure("ksr_failure_bridge");
	if (KSR.tm.t_relay() < 0) {
		KSR.sl.sl_reply_error();
	}
}

function ksr_request_route()
{
	if (KSR.siputils.has_totag() > 0) {
		if (KSR.rr.loose_route() > 0) {
			relay();
		} else if (KSR.is_ACK() && KSR.tm.t_check_trans() > 0) {
			relay();
		} else if (!KSR.is_ACK()) {
			KSR.sl.send_reply(404, "Not here");
		}
		return;
	}
	if (KSR.is_CANCEL()) {
		if (KSR.tm.t_check_trans() > 0) {
			relay();
		}
		return;
	}
	KSR.tm.t_check_trans();
	KSR.rr.record_route();
	relay();
}

function ksr_onreply_bridge()
{
	KSR.afbridge.af_bridge0();
}

function ksr_failure_bridge()
{
	KSR.afbridge.af_bridge0();
}
