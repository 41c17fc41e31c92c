package io.vpccni.emulator.model;

/** Something that happened in the emulated VPC, in order; read through the admin API. */
public record Event(long seq, String time, String type, String resourceId, String detail) {}
