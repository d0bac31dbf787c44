# The volumes a deleted CloudNativePG Cluster left behind (README,
# "Databases": the failback's rebuild and the end of a point-in-time restore).
#
# Its claims go with the Cluster, but gp3-high-iops keeps the volume
# (reclaimPolicy Retain): each is a Released PersistentVolume and an EBS
# volume that Kubernetes will not delete.
#
# Input: `kubectl get pv -o json`. Output: one line per volume,
# "<persistent volume> <EBS volume id>".
# Argument: --arg dbs "<namespace>/<cluster> ..." (space-separated).
#
# A claim of a Cluster is named <cluster>-<instance number> (and
# <cluster>-<n>-wal with a WAL volume), so a restore's claims
# (<cluster>-pitr-...) never match its database's name. Only Released
# volumes: a rebuilt Cluster's new claims (the same names) are Bound.
($dbs | split(" ") | map(select(length > 0) | split("/"))) as $clusters
| .items[]
| select(.status.phase == "Released" and .spec.storageClassName == "gp3-high-iops")
| .spec.claimRef as $claim
| select(any($clusters[]; .[1] as $cluster
                          | $claim.namespace == .[0]
                            and ($claim.name | test("^" + $cluster + "-[0-9]+(-wal)?$"))))
| "\(.metadata.name) \(.spec.csi.volumeHandle)"
