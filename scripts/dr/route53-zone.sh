#!/usr/bin/env bash
# The id of the one public Route 53 hosted zone named exactly ZONE_NAME
# (README, "Disaster recovery").
#   scripts/dr/route53-zone.sh voyager.example.com      -> Z0123456789ABCDEFGHIJ
#
# list-hosted-zones-by-name starts at the name and goes on with the zones
# after it in its order, and a private zone may have the same name:
# `HostedZones[0]` can be the wrong zone. Exactly one public zone of exactly
# that name, or an error.
set -euo pipefail
name="${1:?usage: $0 ZONE_NAME (e.g. voyager.example.com)}"
name="${name%.}."
ids="$(aws route53 list-hosted-zones-by-name --dns-name "$name" --output json \
  | jq -r --arg name "$name" \
      '.HostedZones[] | select(.Name == $name and .Config.PrivateZone == false) | .Id')"
count="$(printf '%s' "$ids" | grep -c . || true)"
if [ "$count" != 1 ]; then
  echo "error: $count public hosted zones named $name (want exactly one): ${ids//$'\n'/ }" >&2
  exit 1
fi
echo "${ids##*/}"
