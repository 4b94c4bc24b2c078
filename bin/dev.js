#!/usr/bin/env -S node --import tsx
// Development only: runs the commands from src/ through tsx, without the bundle, its patches
// or the code cache (npm run dev -- list 15/main). What ships is bin/pgpatronictl.cjs.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {execute, settings} from '@oclif/core'

settings.enableAutoTranspile = false // tsx has already registered itself for .ts
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))
pjson.oclif.commands = {identifier: 'COMMANDS', strategy: 'explicit', target: './src/index.ts'}
await execute({args: process.argv.slice(2), loadOptions: {devPlugins: false, pjson, root, userPlugins: false}})
