import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type ConfigObject, configPatch, mergePatch, settingsPatch} from './config-patch.js'
import {ExitCode, PgpError, describeFsError, usageError} from '../errors.js'
import type {InstanceTarget} from '../list/list.js'
import {
  clusterRequestTarget,
  configNotConfirmed,
  confirmOrAbort,
  type OperationIo,
  reportDryRun,
  requireConsent,
  withCluster,
} from './operation.js'
import {endpointOf, expectSuccess} from '../rest/client.js'
import {parseYamlMapping} from '../config/patroni-config.js'
import type {ConnectOptions} from '../rest/instance.js'
import type {Prompter} from '../prompt/prompt.js'
import {readRegularFile} from '../config/files.js'
import {describeRequest} from './request-preview.js'
import {unifiedDiff} from '../output/text-diff.js'

export interface EditConfigWanted {
  set: string[]
  pg: string[]
  apply?: string // FILE or - : merged into the configuration (PATCH)
  replace?: string // FILE or - : the whole configuration (PUT)
  force: boolean
  dryRun: boolean
  quiet?: boolean // patronictl's -q: no diff (a confirmation still needs a terminal or --force)
}

/**
 * The cluster-wide (DCS) configuration: edit, show the diff, confirm, send. Only the keys that
 * changed are PATCHed, and the configuration is read again just before, so a concurrent edit
 * by someone else is reported and never overwritten.
 */
export async function runEditConfig(
  target: InstanceTarget,
  wanted: EditConfigWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent('edit-config', wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    const baseUrl = await clusterRequestTarget(instance, cluster)
    const current = await instance.client.getObject<ConfigObject>('/config', baseUrl)
    const edited = await editedConfig(current, wanted, io.prompter)
    const {stringify} = await import('yaml')
    const [before, after] = [stringify(current), stringify(edited)]
    if (before === after) {
      io.log('not changed')
      return ExitCode.ok
    }
    if (!wanted.quiet) io.log(unifiedDiff(before, after, [`${cluster.scope} (now)`, `${cluster.scope} (edited)`]))
    const [method, body] = wanted.replace
      ? (['PUT', edited] as const)
      : (['PATCH', configPatch(current, edited)] as const)
    if (wanted.dryRun) return reportDryRun(io, [describeRequest(method, `${baseUrl}/config`, body)])
    await confirmOrAbort(io.prompter, wanted.force, `Apply these changes to cluster ${cluster.scope}?`)
    const concurrent = () =>
      new PgpError(
        `the configuration of ${cluster.scope} was changed by someone else meanwhile; nothing applied: run edit-config again`,
        ExitCode.failed,
      )
    const unchanged = async () =>
      JSON.stringify(await instance.client.getObject('/config', baseUrl)) === JSON.stringify(current)
    if (!(await unchanged())) throw concurrent()
    const sent = io.journal.sending(`${method} /config to ${endpointOf(baseUrl)}`)
    const answer = await instance.client.request(method, '/config', {baseUrl, body})
    if (answer.status === 409) {
      // Patroni's compare-and-set in the DCS failed: another change, or a DCS that did not take the write in time
      if (await unchanged()) throw configNotConfirmed(cluster.scope, 'the change') // may still happen
      io.journal.failed(sent, '409 Conflict: changed by someone else')
      throw concurrent()
    }
    expectSuccess(answer, endpointOf(baseUrl))
    io.journal.confirmed(sent, 'stored in the DCS')
    io.log(`configuration of ${cluster.scope} changed`)
    return ExitCode.ok
  })
}

async function editedConfig(
  current: ConfigObject,
  wanted: EditConfigWanted,
  prompter: Prompter,
): Promise<ConfigObject> {
  const {parse} = await import('yaml')
  const parseValue = (text: string): unknown => {
    try {
      return parse(text, {version: '1.1'})
    } catch {
      return text
    }
  }
  let edited = current
  if (wanted.replace) edited = await readYamlFile(wanted.replace)
  if (wanted.apply) edited = mergePatch(edited, await readYamlFile(wanted.apply))
  if (wanted.set.length > 0 || wanted.pg.length > 0)
    edited = mergePatch(edited, settingsPatch(wanted.set, wanted.pg, parseValue))
  if (edited !== current) return edited
  if (!prompter.interactive)
    throw usageError(
      'nothing to change: give --set, --pg, --apply or --replace, or run on a terminal to edit in $EDITOR',
    )
  return editInEditor(current, prompter)
}

async function readYamlFile(file: string): Promise<ConfigObject> {
  let text: string
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readRegularFile(file, 'utf8')
  } catch (error) {
    throw new PgpError(describeFsError(error, file === '-' ? 'standard input' : file), ExitCode.config)
  }
  return parseYamlMapping(text, file === '-' ? 'standard input' : file)
}

/** $VISUAL, $EDITOR, Debian's `editor`, vi; a YAML error offers to edit again. */
async function editInEditor(current: ConfigObject, prompter: Prompter): Promise<ConfigObject> {
  const {stringify} = await import('yaml')
  const dir = mkdtempSync(join(tmpdir(), 'pgpatronictl-'))
  const file = join(dir, 'config.yaml')
  writeFileSync(file, stringify(current), {mode: 0o600})
  const editor = process.env.VISUAL || process.env.EDITOR || 'editor'
  const {spawnSync} = await import('node:child_process')
  try {
    for (;;) {
      const run = spawnSync('sh', ['-c', `${editor} "$1" || vi "$1"`, 'sh', file], {stdio: 'inherit'})
      if (run.status !== 0) throw new PgpError(`the editor (${editor}) failed; nothing changed`, ExitCode.failed)
      try {
        return await parseYamlMapping(readFileSync(file, 'utf8'), 'edited configuration')
      } catch (error) {
        if (!(error instanceof PgpError) || !(await prompter.confirm(`${error.message}. Edit again?`))) throw error
      }
    }
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}
