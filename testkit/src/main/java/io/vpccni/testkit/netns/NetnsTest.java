package io.vpccni.testkit.netns;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A test that needs root and creates network namespaces: {@code @Test} plus the {@code netns} tag,
 * so the tier can be run or excluded as a group ({@code -Dtest.excludedGroups=netns}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Tag("netns")
@Test
public @interface NetnsTest {}
