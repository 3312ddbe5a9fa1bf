# Builds the module in the current folder out of tree with kamailio's own
# Makefile.modules. Included by modules/<name>/Makefile after it sets NAME
# (and LIBS/DEFS as needed). KSR_SRC is the configured kamailio src/ folder,
# passed down by the top-level Makefile. Beside the files of its folder a
# module links <name>_MOD_SRCS of mk/sources.mk (built into its folder).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
ifeq ($(KSR_SRC),)
$(error KSR_SRC is not set: build from the top folder with 'make')
endif
COREPATH := $(abspath $(KSR_SRC))
include $(TOP)/mk/sources.mk

include $(COREPATH)/Makefile.defs
# INCLUDES must be complete before Makefile.modules: its rules compare them
# with those of the last build (makecfg.lst) when they are read, and an
# include added later would differ on every run (make rebuilds makecfg.lst,
# restarts, and never ends)
INCLUDES += -I$(COREPATH) -I$(DS_COMMON)
include $(COREPATH)/Makefile.modules

DS_OBJS := $(notdir $($(MOD_NAME)_MOD_SRCS:.c=.o))
vpath %.c $(sort $(dir $($(MOD_NAME)_MOD_SRCS)))
extra_objs += $(DS_OBJS)
LIBS += $($(MOD_NAME)_MOD_LIBS)
$(NAME): $(DS_OBJS)
-include $(DS_OBJS:.o=.d)
