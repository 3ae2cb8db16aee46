#!/usr/bin/env python3
"""The post-dissector against corrupted captures, the way Wireshark fuzzes itself
(tools/fuzz-test.sh): `editcap -E PROB` flips random bytes of every bundled
capture, and each variant (and the capture itself) goes through tshark with
the packet fields on:

  tshark -2 -nVx -r VARIANT -o tcpfollowts.fields:always     (both passes, the settled fields)
  tshark -n -r VARIANT -Y tcpfollowts.class -T fields -e ... (one pass, the fields named)

A run fails when tshark dies of a signal or hangs, prints a sanitizer report
(run it from tests/sanitize.sh, which preloads ASan), or, with --valgrind, when
memcheck reports an error. A failing variant is run again without the plugin:
if tshark fails the same way, the fault is Wireshark's (reported, not counted).
Failing variants are kept in --keep. --quick (tests/valgrind.sh, where every
tshark start costs seconds) runs the variants only, and only the first command.

    tests/fuzz/corrupt_captures.py [--variants N] [--seed S] [--prob P] [--valgrind] [--quick] [CAPTURE...]

SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

# editcap without the sanitizer runtime tshark gets (it hangs at exit with it preloaded)
PLAIN_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer")
FIELDS = ["tcpfollowts.class", "tcpfollowts.new_bytes", "tcpfollowts.kept_frame", "tcpfollowts.stall",
          "tcpfollowts.in_flight", "tcpfollowts.gap_before"]
RUNS = {
    "-2 -V": ["-2", "-nVx", "-o", "tcpfollowts.fields:always"],
    "-Y fields": ["-n", "-Y", "tcpfollowts.class", "-T", "fields"] + [a for f in FIELDS for a in ("-e", f)],
}
VALGRIND = ["valgrind", "--error-exitcode=1", "--leak-check=no", "--num-callers=40",
            f"--suppressions={os.path.join(tft.ROOT, 'tests', 'valgrind.supp')}"]


def verdict(rc, err, valgrind):
    """None if the run is fine, else what went wrong."""
    if rc is None:
        return "timeout"
    if rc < 0 or rc >= 128:
        return f"signal {(-rc if rc < 0 else rc - 128)}"
    if SANITIZER.search(err):
        return "sanitizer report"
    if valgrind:
        m = re.search(r"ERROR SUMMARY: (\d+) errors", err)
        if not m or int(m.group(1)):
            return f"memcheck: {m.group(0) if m else 'no summary'}"
    return None


def run(variant, args, valgrind, plugins=True, timeout=600):
    env = {"WIRESHARK_EXTCAP_DIR": tft.empty_dir()}
    if not plugins:
        env["WIRESHARK_PLUGIN_DIR"] = tft.empty_dir()
    try:
        rc, _, err = tft.tshark(["-r", variant] + args, wrapper=VALGRIND if valgrind else None, timeout=timeout,
                                discard_stdout=True, env_extra=env)
    except subprocess.TimeoutExpired:
        return None, ""
    return rc, err


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variants", type=int, default=10, help="corrupted variants per capture")
    p.add_argument("--seed", type=int, default=1, help="editcap --seed of the first variant")
    p.add_argument("--prob", type=float, default=0.02, help="editcap -E: probability of a byte changed")
    p.add_argument("--valgrind", action="store_true", help="run tshark under valgrind memcheck")
    p.add_argument("--quick", action="store_true", help="only the variants, only the -2 -V run")
    p.add_argument("--keep", default=os.path.join(tft.build_dir(), "corrupt-failures"))
    p.add_argument("captures", nargs="*")
    args = p.parse_args()

    print(tft.assert_plugin_loaded({"WIRESHARK_EXTCAP_DIR": tft.empty_dir()}).strip())
    work = tempfile.mkdtemp(prefix="tft-corrupt-")
    os.chmod(work, 0o755)
    caps = args.captures or tft.capture_files()
    runs = failures = wireshark_faults = 0
    started = time.time()
    for cap in caps:
        for seed in ([] if args.quick else [None]) + [args.seed + k for k in range(args.variants)]:
            variant = os.path.join(work, f"{seed}-{os.path.basename(cap)}")
            editcap = ["-E", str(args.prob), "--seed", str(seed)] if seed is not None else []
            subprocess.run(["editcap"] + editcap + [os.path.join(tft.CAPTURES, cap), variant], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=PLAIN_ENV, timeout=120)
            os.chmod(variant, 0o644)
            for name, tshark_args in list(RUNS.items())[:1 if args.quick else None]:
                rc, err = run(variant, tshark_args, args.valgrind)
                runs += 1
                bad = verdict(rc, err, args.valgrind)
                if not bad:
                    continue
                rc0, err0 = run(variant, tshark_args, args.valgrind, plugins=False)
                if verdict(rc0, err0, args.valgrind):
                    wireshark_faults += 1
                    print(f"   Wireshark's own fault (also without the plugin): {cap} seed {seed} {name}: {bad}")
                    continue
                failures += 1
                os.makedirs(args.keep, exist_ok=True)
                kept = os.path.join(args.keep, os.path.basename(variant))
                shutil.copy(variant, kept)
                with open(kept + ".stderr", "w") as f:
                    f.write(err)
                print(f"FAIL: {cap} seed {seed} ({name}): {bad}; variant kept in {kept}")
                print("\n".join("      " + l for l in err.splitlines()[-25:]))
            os.unlink(variant)
    shutil.rmtree(work, ignore_errors=True)
    print(f"corrupt_captures: {len(caps)} captures, {'' if args.quick else 'each as it is and '}{args.variants} "
          f"variants (editcap -E "
          f"{args.prob}, seeds "
          f"{args.seed}..{args.seed + args.variants - 1}), {runs} tshark runs{' under valgrind' if args.valgrind else ''}"
          f" in {time.time() - started:.0f} s: {failures} failures, {wireshark_faults} Wireshark faults")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
