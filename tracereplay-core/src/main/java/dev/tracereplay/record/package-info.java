/**
 * What a recorder yields: {@link dev.tracereplay.record.Recording} (one client's file, counts and
 * why it ended) and {@link dev.tracereplay.record.RecordingListener}. API: every public type here (the
 * recorder's handler and file naming are in the unexported {@code dev.tracereplay.internal.record}).
 */
package dev.tracereplay.record;
