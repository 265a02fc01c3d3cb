/**
 * The wire protocol's messages: {@link dev.tracereplay.wire.MessageHeader},
 * {@link dev.tracereplay.wire.MessageType} (the 38 types) and
 * {@link dev.tracereplay.wire.MalformedMessageException}. API: those; the handshake
 * ({@code Handshake}, {@code HandshakeException}) is public only for the other packages of the
 * library, and is not API: {@link dev.tracereplay.server.SinkServer} and
 * {@link dev.tracereplay.TraceReplayer} speak it.
 */
package dev.tracereplay.wire;
