package io.ax.xds.ads;

/**
 * What an {@link AdsClient} has done since it was made; every count only grows.
 *
 * @param streams streams opened (the first connect and every reconnect)
 * @param responses discovery responses received
 * @param acks responses ACKed
 * @param nacks responses NACKed (at least one resource rejected)
 * @param droppedResponses responses of a type the agent does not subscribe to
 * @param ignoredResources EDS or RDS resources a response carried that were not subscribed to
 * @param oversizedResponses streams that failed on a response above the inbound size limit
 */
public record AdsStats(
    long streams, long responses, long acks, long nacks, long droppedResponses, long ignoredResources, long oversizedResponses) {}
