package dev.tracereplay.runsc;

import java.nio.file.Path;

/**
 * What {@link Sandbox#recordTo} recorded.
 *
 * @param file the trace file, where it was asked to be
 * @param messages the trace points it holds (the messages after the handshake)
 * @param exitCode the sandboxed command's exit code, as runsc passed it on (128 + N for a command
 *     killed by signal N)
 */
public record SandboxRecording(Path file, long messages, int exitCode) {}
