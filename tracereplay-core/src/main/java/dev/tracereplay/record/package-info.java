/**
 * What a recorder yields: {@link dev.tracereplay.record.Recording} (one client's file, counts and
 * why it ended) and {@link dev.tracereplay.record.RecordingListener}. API: those two; the recorder's
 * handler and file naming ({@code RecordingHandlerFactory}, {@code RecordingDirectory}) are public
 * only for {@link dev.tracereplay.TraceRecorder} and the command line, and are not API.
 */
package dev.tracereplay.record;
