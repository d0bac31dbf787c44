# Route 53 change batches that make one region's Voyager failover records
# PRIMARY and the other region's SECONDARY (README, "Disaster recovery";
# scripts/dr/route53-failover.sh runs it and applies the batches).
#
# Input: `aws route53 list-resource-record-sets --output json` of the zone (the
# CLI reads every page). Output: one change batch per line with `jq -c`,
# nothing when every record already has its role (a second run is a no-op).
# Arguments:
#   --arg primary voyager-<region>   the set identifier that takes over
#   --arg only <name.>               optional: only this hostname (the drill's scratch record)
#   --argjson max_records N          optional: ResourceRecord elements per batch (1000)
#   --argjson max_chars N            optional: characters of Value elements per batch (32000)
#
# Every failover record set whose set identifier starts with "voyager-" gets
# its new role: the alias records and ExternalDNS's TXT ownership records
# alike (ExternalDNS v0.22.0 copies the set identifier and the failover role
# onto the TXT record, registry/txt/registry.go), so each ExternalDNS
# afterwards finds its records as its region_role renders them.
#
# Not UPSERT: Route 53 refuses two UPSERTs that swap PRIMARY and SECONDARY of
# one name and type (boto/boto3#1347, "Invalid request"), and counts each
# UPSERTed element twice against the per-request limits. Each record that
# changes is DELETEd exactly as listed and CREATEd with its new role, all
# DELETEs of a hostname before its CREATEs, in one batch: a batch is
# transactional, so no moment has two PRIMARY (or no PRIMARY) records for a
# name and type. A hostname's records (its A/AAAA records and the TXT
# records ExternalDNS names <type>-<hostname>) never straddle two batches;
# batches hold whole hostnames while they stay under Route 53's limits per
# ChangeResourceRecordSets request: 1,000 ResourceRecord elements and 32,000
# characters of Value elements. An alias record has no ResourceRecord
# element; it is counted as one, with its target's name as its characters
# (safe side). A hostname that alone exceeds a limit is an error.

def limit($name; $default): ($ARGS.named[$name] // $default) | tonumber;
def elements: if (.ResourceRecords | type) == "array" then (.ResourceRecords | length) else 1 end;
def chars: if (.ResourceRecords | type) == "array"
           then ([.ResourceRecords[].Value | length] | add // 0)
           else ((.AliasTarget.DNSName // "") | length) end;
# The hostname a record belongs to: a TXT record <type>-<hostname> goes with
# that hostname's records when it has some, anything else is its own name.
def hostname($hosts):
  if .Type == "TXT"
  then ((.Name | capture("^[a-z0-9]+-(?<host>.+)$") | .host) // null) as $h
       | if $h != null and $hosts[$h] then $h else .Name end
  else .Name end;

limit("max_records"; 1000) as $max_records
| limit("max_chars"; 32000) as $max_chars
| ($ARGS.named.only // "") as $only
| [.ResourceRecordSets[]
   | select(.Failover != null and ((.SetIdentifier // "") | startswith("voyager-")))] as $all
| ([$all[] | select(.Type != "TXT") | {key: .Name, value: true}] | from_entries) as $hosts
| [$all[] | . as $r | {host: hostname($hosts), record: $r}
   | select($only == "" or .host == $only)] as $ours
| if ($ours | map(select(.record.SetIdentifier == $primary)) | length) == 0 then
    error("no failover records with set identifier \($primary)" + (if $only != "" then " for \($only)" else "" end))
  else
    [$ours | group_by(.host)[]
     | .[0].host as $host
     | map(.record | . as $old
           | (if .SetIdentifier == $primary then "PRIMARY" else "SECONDARY" end) as $role
           | select(.Failover != $role)
           | {old: $old, new: ($old | .Failover = $role)})
     | select(length > 0)
     | {host: $host,
        changes: ([.[] | {Action: "DELETE", ResourceRecordSet: .old}]
                  + [.[] | {Action: "CREATE", ResourceRecordSet: .new}]),
        # DELETE and CREATE each count once.
        elements: (2 * ([.[].old | elements] | add)),
        chars: (2 * ([.[].old | chars] | add))}
     | if .elements > $max_records or .chars > $max_chars then
         error("\(.host): \(.elements) ResourceRecord elements and \(.chars) characters, "
               + "over one batch's limits (\($max_records), \($max_chars))")
       else . end]
    # Whole hostnames, in order, into batches under both limits.
    | reduce .[] as $g ([];
        (length - 1) as $last
        | if $last >= 0 and (.[$last].elements + $g.elements <= $max_records)
                        and (.[$last].chars + $g.chars <= $max_chars)
        then .[$last] |= {elements: (.elements + $g.elements), chars: (.chars + $g.chars),
                          changes: (.changes + $g.changes)}
        else . + [{elements: $g.elements, chars: $g.chars, changes: $g.changes}] end)
    | length as $n
    | to_entries[]
    | {Comment: "voyager: \($primary) takes over as PRIMARY (batch \(.key + 1) of \($n))",
       Changes: .value.changes}
  end
