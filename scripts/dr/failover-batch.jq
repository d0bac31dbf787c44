# A Route 53 change batch that makes one region's Voyager records PRIMARY and
# the other region's SECONDARY, in one batch (README, "Disaster recovery").
#
# Input: `aws route53 list-resource-record-sets --output json` of the zone.
# Argument: --arg primary voyager-<region> (the set identifier that takes over).
#
# Every failover record set whose set identifier starts with "voyager-" is
# upserted with its new role: the alias records and ExternalDNS's TXT
# ownership records alike (ExternalDNS v0.22.0 copies the set identifier and
# the failover role onto the TXT record, registry/txt/registry.go), so each
# ExternalDNS afterwards finds its records as its region_role renders them.
[.ResourceRecordSets[]
 | select(.Failover != null and ((.SetIdentifier // "") | startswith("voyager-")))] as $ours
| if ($ours | map(select(.SetIdentifier == $primary)) | length) == 0 then
    error("no failover records with set identifier \($primary)")
  else
    {Comment: "voyager: \($primary) takes over as PRIMARY",
     Changes: [$ours[]
               | .Failover = (if .SetIdentifier == $primary then "PRIMARY" else "SECONDARY" end)
               | {Action: "UPSERT", ResourceRecordSet: .}]}
  end
