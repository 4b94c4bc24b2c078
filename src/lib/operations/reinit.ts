import {waitForCluster} from '../rest/cluster-wait.js'
import {ExitCode, PgpError, usageError} from '../errors.js'
import {renderClusters} from '../list/views.js'
import type {InstanceTarget} from '../list/list.js'
import {selectMembers} from './members.js'
import {
  confirmOrAbort,
  dryRunEachMember,
  type MemberOutcome,
  type OperationIo,
  outcomeLines,
  reportDryRun,
  requireConsent,
  withCluster,
  worstExit,
} from './operation.js'
import {endpointOf, plainText} from '../rest/client.js'
import {type ClusterState, isLeader, isRunning, type Member} from '../rest/cluster.js'
import type {ConnectOptions, PatroniInstance} from '../rest/instance.js'

export interface ReinitWanted {
  members: string[]
  fromLeader: boolean
  wait: boolean
  force: boolean
  dryRun: boolean
}

const WAIT_LIMIT_MS = 6 * 3_600_000 // a basebackup of a large database takes hours, not forever
// a member whose data directory is gone (what reinit is for) reports no system identifier: its scope must still match
const REINIT_PROOF = {allowNoSystemId: true}

/**
 * reinit: wipes a replica's data directory and clones it again (POST /reinitialize), one
 * member at a time. The leader is never a target: Patroni would refuse, and so do we, first.
 */
export async function runReinit(
  target: InstanceTarget,
  wanted: ReinitWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent('reinit', wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    io.log(await renderClusters([{cluster}], 'pretty', false))
    let names = wanted.members
    if (names.length === 0) {
      const replicas = cluster.members.filter((m) => !isLeader(m))
      if (!io.prompter.interactive || wanted.force)
        throw usageError(
          `name the member(s) to reinitialize (replicas: ${replicas.map((m) => m.name).join(', ') || 'none'})`,
        )
      names = [
        await io.prompter.select(
          'Which member do you want to reinitialize?',
          replicas.map((m) => ({name: `${m.name} (${m.state})`, value: m.name})),
        ),
      ]
    }
    const members = selectMembers(cluster, {members: names, role: 'any'})
    const leader = members.find(isLeader)
    if (leader)
      throw new PgpError(
        `${leader.name} is the leader of ${cluster.scope} and cannot be reinitialized; switch over first`,
        ExitCode.failed,
      )
    if (wanted.fromLeader) await requireFromLeaderSupport(instance, members)
    // as patronictl: {"force": true} cancels an action (restart, earlier reinit) running on the member
    const body = {force: wanted.force === true, ...(wanted.fromLeader ? {from_leader: true} : {})}
    if (wanted.dryRun)
      return reportDryRun(
        io,
        await dryRunEachMember(instance, members, {body, method: 'POST', path: '/reinitialize'}, REINIT_PROOF),
        ', one at a time',
      )
    const where = (m: Member) =>
      m.name === instance.config.memberName && instance.config.dataDir
        ? instance.config.dataDir
        : `the data directory of ${m.name} on ${m.host ?? 'its host'}`
    await confirmOrAbort(
      io.prompter,
      wanted.force,
      `Reinitialize ${members.map((m) => m.name).join(', ')}? This wipes ${members.map(where).join(', ')} and clones it again${wanted.fromLeader ? ' from the leader' : ''}.`,
    )
    const outcomes: MemberOutcome[] = []
    io.journal.plan(members.map((m) => `reinitialize of ${m.name}`))
    for (const member of members) {
      const outcome = await reinitOne(instance, member, body, wanted, io)
      outcomes.push(outcome)
      io.journal.step(outcomeLines([outcome])) // as it is known: a long reinit of several members shows each
      if (outcome.exitCode !== ExitCode.ok) break
    }
    return worstExit(outcomes)
  })
}

async function reinitOne(
  instance: PatroniInstance,
  member: Member,
  body: {force: boolean; from_leader?: boolean},
  wanted: ReinitWanted,
  io: OperationIo,
): Promise<MemberOutcome> {
  try {
    const baseUrl = await instance.proven(member, REINIT_PROOF)
    const send = async (force: boolean) => {
      const what = `POST /reinitialize${force ? ' (force)' : ''} to ${member.name} (${endpointOf(baseUrl)})`
      const sent = io.journal.sending(what, `reinitialize of ${member.name}`)
      const request = {baseUrl, body: {...body, force}}
      const answer = await instance.client.request('POST', '/reinitialize', request)
      if (answer.status === 200)
        io.journal.confirmed(sent, 'reinitialize started: its data directory is being replaced')
      else io.journal.failed(sent, `${answer.status} ${plainText(answer.text)}`)
      return answer
    }
    const startedBefore = await postmasterStart(instance, baseUrl)
    let answer = await send(body.force)
    const text = plainText(answer.text)
    // another action (a restart, an earlier reinit) is running: only a person may cancel it
    const busy = answer.status === 503 && /already in progress$/.test(text)
    if (busy && io.prompter.interactive && !wanted.force) {
      if (await io.prompter.confirm(`${member.name}: ${text}. Cancel it and reinitialize anyway?`))
        answer = await send(true)
    }
    if (answer.status !== 200) {
      const why = `${answer.status} ${plainText(answer.text)}`
      return {exitCode: ExitCode.failed, member: member.name, status: answer.status, text: why}
    }
    if (!wanted.wait) return {exitCode: ExitCode.ok, member: member.name, status: 200, text: plainText(answer.text)}
    return await waitReinitialized(instance, member, baseUrl, startedBefore, io, plainText(answer.text))
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return {exitCode: error.exitCode, member: member.name, text: error.message}
  }
}

/**
 * --wait: a new postmaster on the member (the DCS still shows the old, running one for a loop or
 * two), then the member replicating, within WAIT_LIMIT_MS; a line every minute while it clones.
 */
async function waitReinitialized(
  instance: PatroniInstance,
  member: Member,
  baseUrl: string,
  startedBefore: string | undefined,
  io: OperationIo,
  answer: string,
): Promise<MemberOutcome> {
  io.journal.step(`${member.name}: ${answer}; waiting until it runs and replicates again`)
  const started = performance.now()
  const deadline = started + WAIT_LIMIT_MS
  const minutes = () => Math.floor((performance.now() - started) / 60_000)
  let said = 0
  for (
    let now = startedBefore;
    now === undefined || now === startedBefore;
    now = await postmasterStart(instance, baseUrl)
  ) {
    if (performance.now() > deadline) break
    if (minutes() > said) io.journal.step(`${member.name}: still cloning after ${(said = minutes())} min`)
    await sleep(1000)
  }
  const done = await waitForCluster(instance, (c) => replicating(c, member.name), {deadline, intervalMs: 1000})
  if (!done.reached) {
    const text = 'reinitialize started, but the member is not running yet; check pgpatronictl list'
    return {exitCode: ExitCode.unreachable, member: member.name, text}
  }
  const after = ((performance.now() - started) / 1000).toFixed(1)
  return {exitCode: ExitCode.ok, member: member.name, text: `reinitialized, replicating again after ${after}s`}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** postmaster_start_time of a member that runs PostgreSQL, else undefined (stopped, cloning, no answer). */
async function postmasterStart(instance: PatroniInstance, baseUrl: string): Promise<string | undefined> {
  try {
    const status = await instance.client.getObject<{state?: string; postmaster_start_time?: string}>(
      '/patroni',
      baseUrl,
    )
    return status.state === 'running' ? status.postmaster_start_time : undefined
  } catch {
    return undefined
  }
}

function replicating(cluster: ClusterState, name: string): boolean {
  const member = cluster.members.find((m) => m.name === name)
  return member !== undefined && isRunning(member) && typeof member.lagBytes === 'number'
}

/** `from_leader` exists since Patroni 4.1; older servers ignore it silently, so refuse first. */
async function requireFromLeaderSupport(instance: PatroniInstance, members: Member[]): Promise<void> {
  for (const member of members) {
    const {version} = await instance.memberStatus(member)
    const [major = 0, minor = 0] = (version ?? '0').split('.').map(Number)
    if (major < 4 || (major === 4 && minor < 1)) {
      throw new PgpError(
        `--from-leader needs Patroni 4.1 or later; ${member.name} runs ${version ?? 'an unknown version'}`,
        ExitCode.failed,
      )
    }
  }
}
