// The inquirer prompts, in one module so the bundle can keep them in their own lazily
// loaded file (dist/prompts.cjs): they cost ~25-40 ms to load and only prompts need them.
export {default as checkbox} from '@inquirer/checkbox'
export {default as confirm} from '@inquirer/confirm'
export {default as input} from '@inquirer/input'
export {default as select} from '@inquirer/select'
