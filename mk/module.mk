# Builds the module in the current folder out of tree with kamailio's own
# Makefile.modules. Included by modules/<name>/Makefile after it sets NAME
# (and LIBS/DEFS as needed). KSR_SRC is the configured kamailio src/ folder,
# passed down by the top-level Makefile.

ifeq ($(KSR_SRC),)
$(error KSR_SRC is not set: build from the top folder with 'make')
endif
COREPATH := $(abspath $(KSR_SRC))
# the dualstack tree (this file is in its mk/)
DS_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)

include $(COREPATH)/Makefile.defs
INCLUDES += -I$(COREPATH)
include $(COREPATH)/Makefile.modules

# plain-C files of common/ the module links (COMMON = ds_escape ...): built
# per module with its flags into build/common/<module>/
ifneq ($(COMMON),)
COMMON_OBJS := $(COMMON:%=$(DS_TOP)/build/common/$(MOD_NAME)/%.o)
extra_objs += $(COMMON_OBJS)
$(NAME): $(COMMON_OBJS)
$(DS_TOP)/build/common/$(MOD_NAME)/%.o: $(DS_TOP)/common/%.c $(DS_TOP)/common/%.h
	@mkdir -p $(@D)
	@echo "CC ($(CC)) [common $(MOD_NAME)]		$(notdir $@)"
	@$(CC) $(CFLAGS) $(C_DEFS) $(DEFS) -c $< -o $@
endif
