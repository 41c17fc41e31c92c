/**
 * Fixed IPs for StatefulSet pods (docs/fixed-ips.md): the controller's side of IPReservations,
 * which moves a reservation's address to the node that asks for it and deletes reservations whose
 * TTL has passed. Cloud calls go through {@code pools.PoolController#moveIp}, so the pool loop's
 * records and the NodeENI specs follow every move.
 */
package io.vpccni.controller.reservations;
