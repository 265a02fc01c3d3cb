/**
 * The trace file format, for tools: {@link dev.tracereplay.file.TraceFileReader} streams the
 * records of a file, {@link dev.tracereplay.file.TraceFileWriter} appends them,
 * {@link dev.tracereplay.file.TraceVerifier} checks (and repairs) a file into a
 * {@link dev.tracereplay.file.TraceVerification}; {@link dev.tracereplay.file.TraceConfig} is a
 * file's config, and every problem with a file is a {@link dev.tracereplay.file.TraceFileException}
 * naming file, offset and record. API: every public type here.
 */
package dev.tracereplay.file;
