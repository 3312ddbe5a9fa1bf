# Builds the module in the current folder out of tree with kamailio's own
# Makefile.modules. Included by modules/<name>/Makefile after it sets NAME
# (and LIBS/DEFS as needed). KSR_SRC is the configured kamailio src/ folder,
# passed down by the top-level Makefile.

ifeq ($(KSR_SRC),)
$(error KSR_SRC is not set: build from the top folder with 'make')
endif
COREPATH := $(abspath $(KSR_SRC))

include $(COREPATH)/Makefile.defs
INCLUDES += -I$(COREPATH)
include $(COREPATH)/Makefile.modules
