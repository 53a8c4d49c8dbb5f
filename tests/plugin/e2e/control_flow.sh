# cond and map end to end: control_flow_model.c is compiled with the plugin
# (xport-cc), and the driver runs every exported program against the same
# C function run eagerly, through both branches of every cond and maps over
# several leading sizes.
source "$(dirname "$0")/../lib.sh"
need_capture
cp "$here/e2e/control_flow_model.c" model.c
cp "$here/e2e/control_flow.h" control_flow.h
cp "$here/e2e/control_flow_main.c" main.c
"$XP_CC" -O2 -Wall -Wextra -Werror model.c main.c -o app
./app
