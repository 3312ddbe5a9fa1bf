# The plain-C sources each consumer links, named once. Included by
# mk/module.mk (the modules), test/unit/Makefile, test/fuzz/Makefile,
# utils/Makefile and bench/Makefile, each with TOP set to the repository.
#
#   <piece>_SRCS   a plain-C piece with everything it needs from common/
#   <piece>_LIBS   the libraries it links
#   DS_INCLUDES    where the headers are found ("ip6ref/ip6ref_parser.h",
#                  "ds_af.h")
#   <module>_MOD_SRCS  what a module links beside the files of its folder

DS_COMMON := $(TOP)/common
DS_INCLUDES := -I$(TOP)/modules -I$(DS_COMMON)

# the shared home (common/ds_*.c): no kamailio headers
ds_af_SRCS := $(DS_COMMON)/ds_af.c
ds_sdp_SRCS := $(DS_COMMON)/ds_sdp.c
ds_mark_SRCS := $(DS_COMMON)/ds_mark.c
ds_json_SRCS := $(DS_COMMON)/ds_json.c
ds_num_SRCS := $(DS_COMMON)/ds_num.c
ds_escape_SRCS := $(DS_COMMON)/ds_escape.c
ds_mark_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

# the project's one IP parser
ip6ref_parser_SRCS := $(TOP)/modules/ip6ref/ip6ref_parser.c $(ds_af_SRCS)
# the modules' plain-C logic
afbridge_logic_SRCS := $(TOP)/modules/afbridge/afbridge_logic.c $(ds_sdp_SRCS)
regping_logic_SRCS := $(TOP)/modules/regping/regping_logic.c
# the tools' plain-C parts
hostcheck_SRCS := $(addprefix $(TOP)/utils/ip6-hostcheck/,report.c sockets.c \
	sysctls.c cfg_read.c cfg_check.c frag.c) $(ip6ref_parser_SRCS) \
	$(ds_json_SRCS) $(ds_num_SRCS)
dbaudit_SRCS := $(TOP)/utils/ip6-dbaudit/dbaudit.c $(ds_json_SRCS)

# the modules: their own folder is compiled by kamailio's Makefile.modules;
# ds_kglue.c is the kamailio glue the modules share. afbridge reaches the
# parser through ip6ref's API (it needs ip6ref loaded anyway); regping
# loads without ip6ref, so it links the parser.
afbridge_MOD_SRCS := $(ds_af_SRCS) $(ds_sdp_SRCS) $(ds_mark_SRCS) \
	$(ds_escape_SRCS) $(DS_COMMON)/ds_kglue.c
afbridge_MOD_LIBS := $(ds_mark_LIBS)
ip6ref_MOD_SRCS := $(ds_af_SRCS) $(DS_COMMON)/ds_kglue.c
regping_MOD_SRCS := $(ip6ref_parser_SRCS) $(ds_escape_SRCS) $(ds_num_SRCS) \
	$(DS_COMMON)/ds_kglue.c
