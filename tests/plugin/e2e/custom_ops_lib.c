/* libmyops.so: the custom ops alone, for `xport run --ops libmyops.so`. */
#include "custom_ops.h"
