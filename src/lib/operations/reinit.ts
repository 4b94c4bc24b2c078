import {waitForCluster} from '../rest/cluster-wait.js'
import {ExitCode, PgpError, usageError} from '../errors.js'
import {renderClusters} from '../list/views.js'
import type {InstanceTarget} from '../list/list.js'
import {isLeader, selectMembers} from './members.js'
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
import {type ClusterState, type Member, isRunning} from '../rest/cluster.js'
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
    const body = wanted.fromLeader ? {from_leader: true} : {}
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
  body: object,
  wanted: ReinitWanted,
  io: OperationIo,
): Promise<MemberOutcome> {
  try {
    const baseUrl = await instance.proven(member, REINIT_PROOF)
    const send = async (force: boolean) => {
      const sent = io.journal.sending(
        `POST /reinitialize${force ? ' (force)' : ''} to ${member.name} (${endpointOf(baseUrl)})`,
        `reinitialize of ${member.name}`,
      )
      const answer = await instance.client.request('POST', '/reinitialize', {
        baseUrl,
        body: force ? {...body, force: true} : body,
      })
      if (answer.status === 200)
        io.journal.confirmed(sent, 'reinitialize started: its data directory is being replaced')
      else io.journal.failed(sent, `${answer.status} ${plainText(answer.text)}`)
      return answer
    }
    const startedBefore = await postmasterStart(instance, baseUrl)
    let answer = await send(false)
    // another action (a restart, an earlier reinit) is running: only a person may cancel it
    if (
      answer.status === 503 &&
      /already in progress$/.test(plainText(answer.text)) &&
      io.prompter.interactive &&
      !wanted.force
    ) {
      if (await io.prompter.confirm(`${member.name}: ${plainText(answer.text)}. Cancel it and reinitialize anyway?`))
        answer = await send(true)
    }
    const text = plainText(answer.text)
    if (answer.status !== 200)
      return {exitCode: ExitCode.failed, member: member.name, status: answer.status, text: `${answer.status} ${text}`}
    if (!wanted.wait) return {exitCode: ExitCode.ok, member: member.name, status: 200, text}
    io.journal.step(`${member.name}: ${text}; waiting until it runs and replicates again`)
    const started = performance.now()
    // the DCS still shows the old, running member for a loop or two: wait for a new postmaster first
    const deadline = started + WAIT_LIMIT_MS
    for (
      let now = startedBefore;
      now === undefined || now === startedBefore;
      now = await postmasterStart(instance, baseUrl)
    ) {
      if (performance.now() > deadline) break
      await sleep(1000)
    }
    const done = await waitForCluster(instance, (c) => replicating(c, member.name), {deadline, intervalMs: 1000})
    if (!done.reached)
      return {
        exitCode: ExitCode.unreachable,
        member: member.name,
        text: 'reinitialize started, but the member is not running yet; check pgpatronictl list',
      }
    return {
      exitCode: ExitCode.ok,
      member: member.name,
      text: `reinitialized, replicating again after ${((performance.now() - started) / 1000).toFixed(1)}s`,
    }
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return {exitCode: error.exitCode, member: member.name, text: error.message}
  }
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
