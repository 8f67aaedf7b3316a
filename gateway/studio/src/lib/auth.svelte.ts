// Who is signed in, as the page knows it.
import { api, devToken, onSignedOut } from "../api/client";
import type { Account } from "../api/types";

export const auth = $state<{ state: "unknown" | "signed-in" | "signed-out"; account: Account | null }>({
  state: devToken() ? "signed-in" : "unknown",
  account: null,
});

onSignedOut(() => {
  auth.state = "signed-out";
  auth.account = null;
});

/** Reads the account; a session that has ended shows sign-in (through onSignedOut). */
export async function loadAccount(): Promise<void> {
  try {
    const { data, response } = await api.GET("/v1/account");
    if (response.ok && data) {
      auth.account = data;
      auth.state = "signed-in";
    } else if (response.status !== 401 && auth.state === "unknown") {
      auth.state = "signed-in"; // a gateway without accounts: the film calls will say if we are not
    }
  } catch {
    if (auth.state === "unknown") auth.state = "signed-in";
  }
}

export function signedIn(account: Account | undefined): void {
  auth.account = account ?? null;
  auth.state = "signed-in";
}
