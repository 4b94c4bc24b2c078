import {
  type InstanceSummary,
  OVERVIEW_COLUMNS,
  overviewHealth,
  overviewNotes,
  overviewRecords,
  overviewRows,
} from './host.js'
import {
  clusterFooter,
  layoutOf,
  memberColumns,
  memberRecords,
  memberRows,
  mergeLayouts,
} from '../output/member-table.js'
import type {ClusterState} from '../rest/cluster.js'
import {type OutputFormat, printable, renderAligned, renderAs, renderFramedTable, renderTsv} from '../output/printer.js'

export interface ClusterView {
  cluster: ClusterState
  systemId?: string // in the title
}

/** `list 15/main ...`: patronictl's member table per cluster; machine formats as one flat list. */
export async function renderClusters(views: ClusterView[], format: OutputFormat, extended: boolean): Promise<string> {
  const records = views.flatMap((v) => memberRecords(v.cluster))
  return renderAs(format, records, {
    pretty: () =>
      views
        .map(({cluster, systemId}) => {
          const own = memberRecords(cluster)
          return renderFramedTable({
            columns: memberColumns(own, extended, layoutOf(cluster), {pretty: true}),
            footer: clusterFooter(cluster),
            rows: memberRows(own, 'block'),
            title: `Cluster: ${cluster.scope}${systemId ? ` (${systemId})` : ''}`,
          })
        })
        .join('\n'),
    tsv: () => {
      const layout = mergeLayouts(views.map((v) => layoutOf(v.cluster)))
      return renderTsv(memberColumns(records, extended, layout, {withCluster: true}), memberRows(records, 'flow'))
    },
  })
}

/** `list`: every instance on the host, pg_lsclusters-style; rows coloured only on a terminal. */
export async function renderHost(summaries: InstanceSummary[], format: OutputFormat, color: boolean): Promise<string> {
  return renderAs(format, overviewRecords(summaries), {
    pretty: () => {
      const paint = color
        ? (row: Parameters<typeof overviewHealth>[0], line: string) => colour(overviewHealth(row), line)
        : undefined
      const notes = overviewNotes(summaries).map(printable) // error text from configs and REST APIs
      const table =
        summaries.length > 0
          ? renderAligned(OVERVIEW_COLUMNS, overviewRows(summaries), paint)
          : 'No PostgreSQL instances on this host.'
      return notes.length > 0 ? `${table}\n\n${notes.join('\n')}` : table
    },
    tsv: () => renderTsv(OVERVIEW_COLUMNS, overviewRows(summaries)),
  })
}

const colour = (health: 'bad' | 'good' | 'neutral', line: string): string =>
  health === 'good' ? `\u001B[32m${line}\u001B[0m` : health === 'bad' ? `\u001B[31m${line}\u001B[0m` : line
