package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.record.Severity;

/**
 * One window's verdict of a fleet rule: how bad ({@code magnitude}: the rule's own measure, used
 * to decide whether an open episode has grown), in one or two sentences, and the evidence as a
 * JSON object with a Wireshark display filter.
 */
public record Finding(Severity severity, double magnitude, String explanation, String evidenceJson) {}
