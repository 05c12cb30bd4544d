#!/usr/bin/env bash
# deps.sh - make sure the build machine has what Busmaster needs.
#
# Usage: tools/deps.sh build|run|test|fuzz
#   build: gcc, binutils, libc6-dev, make, python3
#   run:   build + qemu-system-x86 (>= 7.2) + qemu-utils + ovmf
#   test:  same as run
#   fuzz:  build + clang ($FUZZ_CC) with libFuzzer (clang, libclang-rt-dev)
# Missing Debian packages are installed with apt-get when running as root
# (unless DEPS_NO_INSTALL=1); otherwise the one command to run is printed
# and the script fails.
set -u

what=${1:-test}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE.fd}
QEMU=${QEMU:-qemu-system-x86_64}
FUZZ_CC=${FUZZ_CC:-clang}
QEMU_MIN_MAJOR=7
QEMU_MIN_MINOR=2

missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

need_cmd gcc gcc
need_cmd ld binutils
# gcc only recommends the C library headers; the host tests need them.
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
need_cmd make make
need_cmd python3 python3
# Can $FUZZ_CC link a libFuzzer target? (the runtime is a package of its own)
fuzzer_links() {
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
		"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1
}
if [ "$what" = fuzz ]; then
	if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
		missing+=(clang libclang-rt-dev)
	elif ! fuzzer_links; then
		missing+=(libclang-rt-dev)
	fi
elif [ "$what" != build ]; then
	need_cmd "$QEMU" qemu-system-x86
	need_cmd qemu-img qemu-utils   # disk images of scenarios (tools/disk.py)
	[ -f "$OVMF_CODE" ] || missing+=(ovmf)
fi

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && [ "${DEPS_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
		echo "deps: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
			|| { echo "deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
	else
		echo "deps: missing: ${missing[*]}" >&2
		echo "deps: run: sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
fi

if [ "$what" = fuzz ]; then
	fuzzer_links || { echo "deps: $FUZZ_CC cannot link a libFuzzer target (-fsanitize=fuzzer)" >&2; exit 1; }
elif [ "$what" != build ]; then
	ver=$("$QEMU" --version | sed -n 's/^QEMU emulator version \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
	read -r major minor <<<"$ver"
	if [ -z "${major:-}" ]; then
		echo "deps: cannot read the version of $QEMU" >&2; exit 1
	fi
	if [ "$major" -lt $QEMU_MIN_MAJOR ] || { [ "$major" -eq $QEMU_MIN_MAJOR ] && [ "$minor" -lt $QEMU_MIN_MINOR ]; }; then
		echo "deps: $QEMU is $major.$minor; Busmaster needs QEMU >= $QEMU_MIN_MAJOR.$QEMU_MIN_MINOR (Debian 12's qemu-system-x86)" >&2
		exit 1
	fi
	[ -f "$OVMF_CODE" ] || { echo "deps: no OVMF firmware at $OVMF_CODE (package ovmf, or set OVMF_CODE=)" >&2; exit 1; }
fi
exit 0
