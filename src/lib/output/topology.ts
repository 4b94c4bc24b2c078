import type {ClusterView} from '../list/views.js'
import {clusterFooter, layoutOf, memberColumns, memberRecords, memberRows} from './member-table.js'
import type {ClusterState, Member} from '../rest/cluster.js'
import {renderFramedTable} from './printer.js'
import {isLeader} from '../rest/cluster.js'

export interface TopologyNode {
  member: Member
  level: number // 0 the leader, 1 its replicas, 2 replicas of those, ...
}

/**
 * patronictl's topology_sort: the leader, then each replica under the member it replicates
 * from (its `replicatefrom` tag when that names another replica, else the leader), depth
 * first, in name order. Replicas patronictl would drop (a replicatefrom cycle) are shown under
 * the leader instead of vanishing.
 */
export function topologyOrder(members: Member[]): TopologyNode[] {
  const leader = members.find(isLeader)
  const replicas = new Set(members.filter((m) => !isLeader(m)).map((m) => m.name))
  const children = new Map<string | undefined, Member[]>()
  const parentOf = (m: Member): string | undefined => {
    const from = m.tags?.replicatefrom
    return typeof from === 'string' && from !== m.name && replicas.has(from) ? from : leader?.name
  }
  for (const m of members.filter((m) => !isLeader(m)))
    children.set(parentOf(m), [...(children.get(parentOf(m)) ?? []), m])
  const nodes: TopologyNode[] = []
  const seen = new Set<string>()
  const walk = (member: Member, level: number) => {
    if (seen.has(member.name)) return
    seen.add(member.name)
    nodes.push({level, member})
    for (const child of children.get(member.name) ?? []) walk(child, level + 1)
  }
  if (leader) walk(leader, 0)
  for (const m of children.get(leader?.name) ?? []) walk(m, 1) // no leader: replicas at level 1, as patronictl
  for (const m of members) if (!seen.has(m.name) && !isLeader(m)) walk(m, 1)
  return nodes
}

/** `+ node2`, indented two spaces per level below the first. */
export const topologyName = (node: TopologyNode): string =>
  node.level === 0 ? node.member.name : `${' '.repeat((node.level - 1) * 2)}+ ${node.member.name}`

/** `patronictl topology`: the list table, members as a tree, tags in flow style. */
export function renderTopology({cluster, systemId}: ClusterView): string {
  const nodes = topologyOrder(cluster.members)
  const ordered: ClusterState = {...cluster, members: nodes.map((n) => n.member)}
  const records = memberRecords(ordered)
  records.forEach((record, i) => (record.Member = topologyName(nodes[i]!)))
  return renderFramedTable({
    columns: memberColumns(records, false, layoutOf(cluster), {pretty: true}),
    footer: clusterFooter(cluster),
    rows: memberRows(records, 'flow', true),
    title: `Cluster: ${cluster.scope}${systemId ? ` (${systemId})` : ''}`,
  })
}
