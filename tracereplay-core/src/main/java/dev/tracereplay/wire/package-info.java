/**
 * The wire protocol's messages: {@link dev.tracereplay.wire.MessageHeader},
 * {@link dev.tracereplay.wire.MessageType} (the 38 types) and
 * {@link dev.tracereplay.wire.MalformedMessageException}. API: every public type here. The
 * handshake is spoken by {@link dev.tracereplay.server.SinkServer} and
 * {@link dev.tracereplay.TraceReplayer} and lives in the unexported
 * {@code dev.tracereplay.internal.wire}.
 */
package dev.tracereplay.wire;
