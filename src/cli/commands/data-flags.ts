/** What the data commands share: the seed's default (their sandbox flags are the pool's, from score.ts). */
export const DEFAULT_SEED = 1234; // the run config's default seed, so `data prepare` and `testtune run` agree
