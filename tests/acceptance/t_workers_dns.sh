#!/usr/bin/env bash
# t_dns_route.sh (DNS zone, federation policy, open federation) on a node of two workers
# (docs/workers.md): every request there opens its own TCP connection, so the workers share them;
# the domain one worker learns after a 2xx must reach the other (relayed by the supervisor), or
# an inbound request from that partner landing on the other worker would be refused 403.
SIPFED_WORKERS=2 exec bash "$(dirname "$0")/t_dns_route.sh"
