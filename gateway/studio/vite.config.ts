import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The gateway serves dist/: index.html at / and the hashed files under /assets/ (gateway/static.py).
// `npm run dev` proxies the API to a gateway on :8080 (filmstudio up).
const gateway = process.env.FILMSTUDIO_GATEWAY ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [svelte()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false },
  server: { proxy: { "/v1": gateway, "/auth": gateway } },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
  },
});
