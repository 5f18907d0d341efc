/** The rules' entry points: the raw findings of every rule family, and the whole judgement of a scan. */
export { evaluateRules } from './evaluate.js';
export { judge, type Judgement } from './judge.js';
