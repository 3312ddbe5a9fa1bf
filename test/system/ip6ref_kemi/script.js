// ip6ref through KEMI (KSR.ip6ref.*): computes what the native script of
// the ip6ref_script test computes, answers in the same headers.

function out(fn, v, pv)
{
	var rc = fn(v, pv);
	return rc + "|" + KSR.pv.gete(pv);
}

function ksr_request_route()
{
	var ip = KSR.ip6ref;
	if (KSR.pv.get("$rm") != "OPTIONS") {
		KSR.sl.send_reply(405, "Only OPTIONS here");
		return;
	}
	var v = KSR.pv.gete("$hdr(X-In)");
	var o = KSR.pv.gete("$hdr(X-Other)");
	var si = KSR.pv.get("$si");
	var via = KSR.pv.gete("$sel(via[1].host)");
	var rd = KSR.pv.gete("$rd");
	KSR.pv.sets("$var(in)", v);

	KSR.hdr.append_to_reply("X-In: " + v + "\r\n");
	KSR.hdr.append_to_reply("X-Pred: " + ip.is_ip6_ref(v) + " " + ip.is_ip6(v)
		+ " " + ip.is_ip4(v) + " " + ip.is_ip4_mapped(v) + "\r\n");
	KSR.hdr.append_to_reply("X-Af: " + out(ip.ip_af, v, "$var(af)") + "\r\n");
	KSR.hdr.append_to_reply("X-Ref: " + out(ip.ip6_to_ref, v, "$var(ref)") + "\r\n");
	KSR.hdr.append_to_reply("X-Addr: " + out(ip.ip6_to_addr, v, "$var(addr)") + "\r\n");
	KSR.hdr.append_to_reply("X-Canon: " + out(ip.ip_canon, v, "$var(canon)") + "\r\n");
	KSR.hdr.append_to_reply("X-Tr: " + KSR.pv.gete("$(var(in){ip6.ref})") + "|"
		+ KSR.pv.gete("$(var(in){ip6.addr})") + "|"
		+ KSR.pv.gete("$(var(in){ip6.canon})") + "|"
		+ KSR.pv.gete("$(var(in){ip6.af})") + "\r\n");
	KSR.hdr.append_to_reply("X-Equal: " + ip.ip_equal(v, o) + "\r\n");
	KSR.hdr.append_to_reply("X-Si: " + si + "|" + out(ip.ip_af, si, "$var(siaf)")
		+ "|" + KSR.pv.gete("$(si{ip6.ref})") + "|" + ip.ip_equal(si, via)
		+ "|" + ip.is_ip6_ref(via) + "\r\n");
	KSR.hdr.append_to_reply("X-Rd: " + ip.is_ip6_ref(rd) + "|"
		+ KSR.pv.gete("$(rd{ip6.canon})") + "|"
		+ ip.ip_equal(rd, KSR.pv.get("$Ri")) + "\r\n");
	KSR.sl.send_reply(200, "OK");
}
