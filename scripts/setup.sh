#!/bin/sh
# setup.sh: install what a bare Debian 12 machine lacks to build and test dmc.
# As root it runs apt-get; otherwise it prints the exact command to run.
PKGS="make gcc flex bison llvm-19-dev clang-19 libclang-rt-19-dev python3-torch python3-numpy dataset-fashion-mnist graphviz gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu gcc-arm-linux-gnueabihf gcc-i686-linux-gnu qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "setup: apt-get install failed" >&2; exit 1; }
    echo "setup: installed$missing"
else
    echo "setup: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
