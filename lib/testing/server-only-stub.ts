// Stand-in for `server-only` under Vitest, which runs server code outside the react-server graph.
export {};
