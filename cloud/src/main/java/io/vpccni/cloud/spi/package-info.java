/**
 * What a cloud provider module implements to be found: {@link io.vpccni.cloud.spi.VpcApiProvider},
 * registered in {@code META-INF/services/io.vpccni.cloud.spi.VpcApiProvider}. Providers implement
 * {@link io.vpccni.cloud.VpcApi} and map their API's errors onto {@link
 * io.vpccni.cloud.CloudException.Reason}. May import {@code io.vpccni.cloud} only.
 */
package io.vpccni.cloud.spi;
