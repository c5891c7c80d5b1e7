// The collect action's entry point (collect/action.yml).
import { run } from './main.js'

await run()
