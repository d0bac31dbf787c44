#!/usr/bin/env bash
# Make one region's Voyager failover records PRIMARY and the other's
# SECONDARY in Route 53 (README, "Disaster recovery": Failover and Failback
# step 3, the Drill on a scratch record).
#   scripts/dr/route53-failover.sh ZONE_NAME PRIMARY_SET_ID [ONLY_NAME]
#   scripts/dr/route53-failover.sh voyager.example.com voyager-eu-central-1
#   DRY_RUN=1 scripts/dr/route53-failover.sh ...    prints the batches, changes nothing
#
# The zone: the one public zone of that exact name (route53-zone.sh). The
# batches: scripts/dr/failover-batch.jq (DELETE and CREATE per record, whole
# hostnames per batch, under Route 53's per-request limits). Each batch is
# transactional; the next one goes once the previous is INSYNC. If a batch is
# refused (a record changed since the listing), nothing of it applied: run
# the script again, it lists anew and skips what already has its role.
set -euo pipefail
zone_name="${1:?usage: $0 ZONE_NAME PRIMARY_SET_ID [ONLY_NAME]}"
primary="${2:?usage: $0 ZONE_NAME PRIMARY_SET_ID [ONLY_NAME] (e.g. voyager-eu-central-1)}"
only="${3:-}"
here="$(cd "$(dirname "$0")" && pwd)"

zone="$(bash "$here/route53-zone.sh" "$zone_name")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

aws route53 list-resource-record-sets --hosted-zone-id "$zone" --output json > "$work/records.json"
jq -c --arg primary "$primary" --arg only "$only" -f "$here/failover-batch.jq" \
  "$work/records.json" > "$work/batches.jsonl"
total="$(wc -l < "$work/batches.jsonl" | tr -d ' ')"
echo "zone $zone ($zone_name): $total batch(es) make $primary PRIMARY" >&2
if [ "${DRY_RUN:-}" = 1 ]; then
  cat "$work/batches.jsonl"
  exit 0
fi
for i in $(seq 1 "$total"); do
  # A file, not an argument: a batch can be larger than one argument may be.
  sed -n "${i}p" "$work/batches.jsonl" > "$work/batch-$i.json"
  change="$(aws route53 change-resource-record-sets --hosted-zone-id "$zone" \
    --change-batch "file://$work/batch-$i.json" --query ChangeInfo.Id --output text < /dev/null)"
  echo "batch $i of $total: $change" >&2
  aws route53 wait resource-record-sets-changed --id "$change" < /dev/null
done
