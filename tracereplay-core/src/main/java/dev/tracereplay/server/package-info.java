/**
 * The sink framework: {@link dev.tracereplay.server.SinkServer} accepts clients on an endpoint,
 * answers the handshake, applies its limits and runs one {@link dev.tracereplay.server.ClientHandler}
 * (made by a {@link dev.tracereplay.server.ClientHandlerFactory}) per client on its own thread;
 * {@link dev.tracereplay.server.ServerConfig} holds its validated settings;
 * {@link dev.tracereplay.server.ClientInfo}, {@link dev.tracereplay.server.CloseReason} and
 * {@link dev.tracereplay.server.LimitReachedException} go with it. API: every public type here.
 */
package dev.tracereplay.server;
