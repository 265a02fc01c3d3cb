#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz tests (dev.tracereplay.fuzz) from the runsc fixtures.

Seeds are named seed-*; crash and regression inputs that a fuzzing run found (crash-*, timeout-*)
live beside them and are never touched here. Run from anywhere; deterministic, so a re-run only
changes files when this script or the fixtures changed:

    python3 fuzz/seed-corpus.py
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "tracereplay-core/src/test/resources"
FIXTURES = ROOT / "fixtures"
INPUTS = RESOURCES / "dev/tracereplay/fuzz"

SIGNATURE = b"tracereplay file"
CONFIG = b'{"version":1}'
MAX_MESSAGE_SIZE = 4096  # RecorderFuzzTest.MAX_MESSAGE_SIZE
LARGEST_DRAWN_LIMIT = 300 * 1024  # TraceFileReaderFuzzTest.LARGEST_DRAWN_LIMIT
MESSAGE_TYPES = 38


def u64(n):
    return struct.pack("<Q", n)


def header(size=8, type_=7, dropped=0):
    return struct.pack("<HHI", size, type_, dropped)


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def nested(depth, tag=b"\x0a"):
    """Field 1 as a length-delimited field holding itself, depth times: protobuf keeps the inner levels as
    unknown fields, and its text printer recursed into them without a limit."""
    inner = b""
    for _ in range(depth):
        inner = tag + varint(len(inner)) + inner
    return inner


def trace(records, config=CONFIG):
    return SIGNATURE + u64(len(config)) + config + b"".join(u64(len(r)) + r for r in records)


def records_of(name):
    data = (FIXTURES / name).read_bytes()
    at = len(SIGNATURE)
    (n,) = struct.unpack_from("<Q", data, at)
    at += 8 + n
    out = []
    while at < len(data):
        (n,) = struct.unpack_from("<Q", data, at)
        out.append(data[at + 8 : at + 8 + n])
        at += 8 + n
    return out


def flip(data, offset, bit=0):
    b = bytearray(data)
    b[offset] ^= 1 << bit
    return bytes(b)


def write(directory, seeds):
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        (directory / ("seed-" + name)).write_bytes(data)


def trace_files():
    """Whole fixtures, and a small real trace cut, flipped and corrupted in every part of the layout."""
    seeds = {name.removesuffix(".trace"): (FIXTURES / name).read_bytes()
             for name in ("true-start.trace", "shell-common.trace", "loop-all.trace")}
    records = records_of("shell-common.trace")
    small = trace(records[:5])
    seeds["small"] = small
    first_record = len(SIGNATURE) + 8 + len(CONFIG)
    second_record = first_record + 8 + len(records[0])
    for cut in (0, 1, 15, 16, 20, 24, 30, 37, first_record + 3, first_record + 8, first_record + 20,
                second_record, second_record + 7, len(small) - 1):
        seeds[f"small-cut-at-{cut}"] = small[:cut]
    for offset, bit, what in ((0, 0, "signature"), (15, 5, "signature-end"), (16, 0, "config-size"),
                              (17, 0, "config-size-high"), (23, 7, "config-size-top"),
                              (26, 1, "config-key"), (35, 0, "config-value"),
                              (first_record, 0, "record-size"), (first_record + 2, 1, "record-size-high"),
                              (first_record + 7, 7, "record-size-top"), (first_record + 8, 0, "header-size"),
                              (first_record + 12, 0, "dropped"), (first_record + 20, 3, "payload")):
        seeds[f"small-flip-{what}"] = flip(small, offset, bit)
    for size, what in ((2**63, "2^63"), (2**64 - 1, "2^64-1"), (2**32, "2^32"), (2**31, "2^31"),
                       (64 * 1024 + 1, "limit+1"), (1 << 20, "1MiB")):
        seeds[f"record-size-{what}"] = trace(records[:1]) + u64(size) + records[1]
    seeds["record-of-64KiB"] = trace([header() + bytes(64 * 1024 - 8)])
    seeds["record-empty"] = trace([b""])
    for config, what in ((b"{}", "empty"), (b'{"version":0}', "version-0"), (b'{"version":2}', "version-2"),
                         (b'{"version":4294967296}', "version-2^32"), (b'{"version":1.0}', "version-fraction"),
                         (b' {"x":[1,{"y":"\\u00e9"}],"version":1} ', "extra-keys"),
                         (b"[" * 100 + b"]" * 100, "nested-array"), (b'{"a":' * 80 + b"1" + b"}" * 80, "nested-object"),
                         (b'{"version":"1"}', "version-string"), (b'{"version":1', "unterminated"),
                         (b"\xff\xfe", "not-utf8")):
        seeds[f"config-{what}"] = trace(records[:2], config)
    seeds["config-size-huge"] = SIGNATURE + u64(2**40) + CONFIG
    return seeds


def with_limit(data, limit):
    """Appends the record limit as TraceFileReaderFuzzTest's data provider reads it from the end:
    consumeInt(1, 300 KiB) takes 3 bytes, the last one first, as the most significant."""
    v = limit - 1
    return data + bytes([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF])


def trace_files_with_limits(plain):
    seeds = {}
    for name in ("true-start", "small", "small-cut-at-37", "record-size-2^63", "config-extra-keys"):
        for limit in (64 * 1024, LARGEST_DRAWN_LIMIT, 256 * 1024, 4096, 200, 100, 13, 12):
            seeds[f"{name}-limit-{limit}"] = with_limit(plain[name], limit)
    for name, limits in (("shell-common", (64 * 1024, LARGEST_DRAWN_LIMIT)),
                         ("record-of-64KiB", (64 * 1024, LARGEST_DRAWN_LIMIT, 4096))):
        for limit in limits:
            seeds[f"{name}-limit-{limit}"] = with_limit(plain[name], limit)
    return seeds


def packets():
    """Real packets of every type the fixtures hold (two each), the other types' headers on a real
    syscall payload, and headers that are malformed or at the edges."""
    real = records_of("loop-all.trace") + records_of("shell-common.trace")
    by_type = {}
    for p in real:
        (t,) = struct.unpack_from("<H", p, 2)
        by_type.setdefault(t, [])
        if len(by_type[t]) < 2 and all(len(q) != len(p) for q in by_type[t]):
            by_type[t].append(p)
    seeds = {}
    for t, ps in sorted(by_type.items()):
        for i, p in enumerate(ps):
            seeds[f"type-{t}-{i}"] = p
    syscall_payload = by_type[6][0][8:]
    for t in range(1, MESSAGE_TYPES + 1):
        if t not in by_type:
            seeds[f"type-{t}-synthetic"] = header(type_=t) + syscall_payload
    p = by_type[7][0]
    seeds.update({
        "empty": b"",
        "short-7": p[:7],
        "header-only": p[:8],
        "header-size-0": header(size=0) + p[8:],
        "header-size-7": header(size=7) + p[8:],
        "header-size-grown": header(size=12) + b"\x00" * 4 + p[8:],
        "header-size-is-length": header(size=len(p)) + p[8:],
        "header-size-beyond": header(size=len(p) + 1) + p[8:],
        "header-size-max": header(size=0xFFFF) + p[8:],
        "type-0": header(type_=0) + p[8:],
        "type-39": header(type_=39) + p[8:],
        "type-max": header(type_=0xFFFF) + p[8:],
        "dropped-max": header(dropped=0xFFFFFFFF) + p[8:],
        "payload-truncated": p[:-3],
        "payload-bad-varint": header() + b"\x08" + b"\xff" * 11,
        "payload-bad-length": header() + b"\x0a\x7f\x01",
        "payload-group": header() + b"\x0b\x0c",
        # Nesting: 2,000 levels (5.9 KB) overflowed the stack of the text printer; 99 levels are accepted,
        # 100 are not; padded 5-byte tags, which protobuf accepts, must not hide the nesting; a string of
        # group tags only looks nested.
        "payload-depth-bomb-2000": header() + nested(2000),
        "payload-depth-99": header() + nested(99),
        "payload-depth-100": header() + nested(100),
        "payload-depth-bomb-padded-tags": header() + nested(300, tag=b"\x8a\x80\x80\x80\x00"),
        "payload-string-of-group-tags": header() + b"\x32" + varint(300) + b"\x0b" * 150 + b"\x0c" * 150,
    })
    return seeds


def frame(*ps):
    return b"".join(struct.pack("<H", len(p)) + p for p in ps)


def sessions():
    """Packet sequences for the recorder: real sessions, and real packets followed by each kind of bad one."""
    real = records_of("shell-common.trace")
    good = real[:10]
    ok_at_limit = header() + bytes(MAX_MESSAGE_SIZE - 8)
    return {
        "real-10": frame(*good),
        "real-100": frame(*real[:100]),
        "true-start": frame(*records_of("true-start.trace")),
        "real-then-empty": frame(*good[:3], b"", *good[3:6]),
        "real-then-short": frame(*good[:3], good[3][:7], *good[4:6]),
        "real-then-header-size-7": frame(*good[:3], header(size=7) + good[3][8:], *good[4:6]),
        "real-then-header-size-beyond": frame(*good[:3], header(size=200) + good[3][8:], *good[4:6]),
        "real-then-oversized": frame(*good[:3], ok_at_limit + b"\x00", *good[4:6]),
        "at-limit": frame(ok_at_limit, good[0]),
        "header-only": frame(header()),
        "unknown-type": frame(header(type_=999) + good[0][8:], good[1]),
        "cut-short-frame": frame(*good[:2])[:-5],
        "one-byte": b"\x01",
    }


def main():
    plain = trace_files()
    reader = INPUTS / "TraceFileReaderFuzzTestInputs"
    write(reader / "readsAnyBytesAsRecordsOrATraceFileException", plain)
    write(reader / "readsAnyBytesWithAnyRecordLimit", trace_files_with_limits(plain))
    messages = INPUTS / "MessageFuzzTestInputs"
    write(messages / "headerOfAnyPacketIsReadOrMalformed", packets())
    write(messages / "payloadOfEveryTypeDecodesOrIsInvalid", packets())
    write(INPUTS / "PrinterFuzzTestInputs" / "anyPacketPrintsAsOneLine", packets())
    recorder = INPUTS / "RecorderFuzzTestInputs"
    write(recorder / "anyPacketsOverASocketAreRecordedOrCloseTheClient", sessions())
    write(recorder / "anyPacketsInMemoryAreRecordedOrCloseTheClient", sessions())


if __name__ == "__main__":
    main()
