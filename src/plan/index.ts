// The plan action's entry point (plan/action.yml).
import { run } from './main.js'

await run()
