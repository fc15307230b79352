package io.tcpwatch.capture;

/**
 * The interface a frame was captured on: its link-layer type and, when the source knows it, its
 * name (pcapng {@code if_name}, the live device).
 */
public record CaptureInterface(int linkType, String name) {}
