import {type HostPaths, discoverHost} from '../instances/discovery.js'
import {formatInstance} from '../instances/names.js'

export const SHELLS = ['bash', 'zsh'] as const
export type Shell = (typeof SHELLS)[number]

/** What a completion script needs to know of a flag. */
export interface CompletionFlag {
  name: string
  char?: string
  aliases?: readonly string[] // --primary for --leader
  summary?: string
  takesValue: boolean
  options?: readonly string[] // the values of an option flag
  allowNo?: boolean // a --no-NAME form exists
  values?: 'directory' | 'file' // complete paths for the value
}

export interface CompletionCommand {
  id: string
  summary?: string
  flags: CompletionFlag[]
  instances: 'many' | 'none' | 'one' // what the positional arguments are
  choices?: readonly string[] // the values of the first positional argument (completion bash|zsh)
}

/** `pgpatronictl __complete instances`: the Patroni instances of this host, one per line. */
export function completionInstances(paths: HostPaths): string[] {
  try {
    return discoverHost(paths)
      .filter((i) => i.configFile)
      .map(formatInstance)
  } catch {
    return [] // completion never prints errors into the command line
  }
}

export function completionScript(shell: Shell, bin: string, commands: CompletionCommand[]): string {
  const visible = [...commands].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return shell === 'bash' ? bashScript(bin, visible) : zshScript(bin, visible)
}

const fn = (bin: string) => `_${bin.replaceAll(/\W/g, '_')}`
const longNames = (f: CompletionFlag) => [f.name, ...(f.aliases ?? [])].map((n) => `--${n}`)
const valueWords = (f: CompletionFlag) => [...longNames(f), ...(f.char ? [`-${f.char}`] : [])]
const flagWords = (f: CompletionFlag) => [
  ...longNames(f),
  ...(f.allowNo ? [`--no-${f.name}`] : []),
  ...(f.char ? [`-${f.char}`] : []),
]
const sq = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

// eslint-disable-next-line max-lines-per-function -- most of it is the bash script it writes, one piece
function bashScript(bin: string, commands: CompletionCommand[]): string {
  const f = fn(bin)
  const caseArm = (pattern: string, body: string) => `    ${pattern}) ${body} ;;`
  const flagsCase = commands.map((c) => caseArm(c.id, `flags=${sq(c.flags.flatMap(flagWords).join(' '))}`))
  // `cmd:--flag) complete its value`; a flag every command has (the global ones) once, as `*:--flag`
  const arms = new Map<string, {body: string; ids: string[]; words: string[]}>()
  for (const c of commands) {
    for (const fl of c.flags.filter((f) => f.takesValue)) {
      const body = fl.options
        ? `COMPREPLY=($(compgen -W ${sq(fl.options.join(' '))} -- "$cur"))`
        : fl.values === 'directory'
          ? 'COMPREPLY=($(compgen -d -- "$cur"))'
          : fl.values === 'file'
            ? 'COMPREPLY=($(compgen -f -- "$cur"))'
            : 'COMPREPLY=()'
      const words = valueWords(fl)
      const key = `${words.join('|')} ${body}`
      const arm = arms.get(key) ?? {body, ids: [], words}
      arm.ids.push(c.id)
      arms.set(key, arm)
    }
  }
  const valueCase = [...arms.values()].map(({body, ids, words}) => {
    const prefixes = ids.length === commands.length ? ['*'] : ids
    return caseArm(prefixes.flatMap((p) => words.map((w) => `${p}:${w}`)).join('|'), `${body}; return`)
  })
  const instancesCase = commands
    .filter((c) => c.instances !== 'none' || c.choices)
    .map((c) =>
      caseArm(c.id, c.choices ? `instances=none choices=${sq(c.choices.join(' '))}` : `instances=${c.instances}`),
    )
  return `# ${bin} completion for bash. Load it with
#   source <(${bin} completion bash)
# or for every shell: ${bin} completion bash > /etc/bash_completion.d/${bin}
${f}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= cmd=\${COMP_WORDS[1]} flags= instances=none choices=
  (( COMP_CWORD > 1 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=value: bash splits it at "=" (COMP_WORDBREAKS)
  if [[ $cur == = ]]; then prev=\${COMP_WORDS[COMP_CWORD-1]}; cur=
  elif [[ $prev == = ]] && (( COMP_CWORD > 2 )); then prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W ${sq(commands.map((c) => c.id).join(' '))} -- "$cur"))
    return
  fi
  case "$cmd:$prev" in
${valueCase.join('\n')}
  esac
  case "$cmd" in
${flagsCase.join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  case "$cmd" in
${instancesCase.join('\n')}
  esac
  # positional words so far, skipping flags and the values of flags that take one
  local i w positional=0 takes=" ${commandsTakingValues(commands)} " dir=
  for ((i = 2; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == --config-dir ]]; then dir=\${COMP_WORDS[i+1]}; [[ $dir == = ]] && dir=\${COMP_WORDS[i+2]}; fi
    if [[ $w == = ]]; then ((i++)); continue; fi
    if [[ $w == -* ]]; then
      [[ $takes == *" $cmd:$w "* && \${COMP_WORDS[i+1]} != = ]] && ((i++))
      continue
    fi
    ((positional++))
  done
  if [[ -n $choices && $positional == 0 ]]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  elif [[ $instances == many || ( $instances == one && $positional == 0 ) ]]; then
    COMPREPLY=($(compgen -W "$(${bin} __complete instances \${dir:+--config-dir "$dir"} 2>/dev/null)" -- "$cur"))
  fi
}
complete -F ${f} ${bin}
`
}

/** `cmd:--flag cmd:-f ...` for every flag that takes a value. */
function commandsTakingValues(commands: CompletionCommand[]): string {
  return commands
    .flatMap((c) => c.flags.filter((f) => f.takesValue).flatMap((f) => valueWords(f).map((w) => `${c.id}:${w}`)))
    .join(' ')
}

// zsh _arguments specs: the text in [...] must escape ] and :, and everything sits in '...'.
const zshText = (text = '') =>
  text.split('\n')[0]!.replaceAll('\\', '\\\\').replaceAll(']', '\\]').replaceAll(':', '\\:')

function zshSpecs(f: string, command: CompletionCommand): string[] {
  const specs: string[] = []
  for (const flag of command.flags) {
    const names = valueWords(flag)
    const exclusive =
      names.length > 1 || flag.allowNo
        ? `(${[...names, ...(flag.allowNo ? [`--no-${flag.name}`] : [])].join(' ')})`
        : ''
    const action = !flag.takesValue
      ? ''
      : flag.options
        ? `:${flag.name}:(${flag.options.join(' ')})`
        : flag.values === 'directory'
          ? `:${flag.name}:_files -/`
          : flag.values === 'file'
            ? `:${flag.name}:_files`
            : `:${flag.name}: `
    for (const name of names) {
      const suffix = flag.takesValue && name.startsWith('--') ? '=' : ''
      specs.push(`${exclusive}${name}${suffix}[${zshText(flag.summary)}]${action}`)
    }
    if (flag.allowNo) specs.push(`${exclusive}--no-${flag.name}[${zshText(`Not --${flag.name}.`)}]`)
  }
  if (command.choices) specs.push(`1:argument:(${command.choices.join(' ')})`)
  else if (command.instances === 'one') specs.push(`1:instance:${f}_instances`)
  if (command.instances === 'many') specs.push(`*:instance:${f}_instances`)
  return specs.map(sq)
}

function zshScript(bin: string, commands: CompletionCommand[]): string {
  const f = fn(bin)
  const described = commands.map((c) => sq(`${c.id.replaceAll(':', '\\:')}:${(c.summary ?? '').split('\n')[0]}`))
  const arms = commands.map(
    (c) => `    ${c.id})\n      _arguments -s -S \\\n        ${zshSpecs(f, c).join(' \\\n        ')} ;;`,
  )
  return `#compdef ${bin}
# ${bin} completion for zsh. Load it with
#   source <(${bin} completion zsh)
# or save it as _${bin} in a directory of $fpath (before compinit runs).
${f}_instances() {
  local dir i expl
  for ((i = 1; i < $#words; i++)); do
    [[ $words[i] == --config-dir ]] && dir=$words[i+1]
    [[ $words[i] == --config-dir=* ]] && dir=\${words[i]#--config-dir=}
  done
  local -a names
  names=(\${(f)"$(${bin} __complete instances \${dir:+--config-dir} \${dir:+$dir} 2>/dev/null)"})
  _wanted instances expl instance compadd -a names
}
${f}() {
  local -a commands
  commands=(
    ${described.join('\n    ')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands command commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${arms.join('\n')}
  esac
}
if [[ $funcstack[1] == ${f} ]]; then
  ${f} "$@"
else
  (( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
  compdef ${f} ${bin}
fi
`
}
