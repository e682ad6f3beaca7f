// Five GetCallerIdentity calls, a second apart, from one JavaScript SDK v3 client: run by
// benches/renewal.py, which counts the credential fetches. argv[2]: http (fromHttp), container
// (fromContainerMetadata), process (fromProcess with AWS_PROFILE), or chain (the default chain).
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromContainerMetadata, fromHttp, fromProcess } from "@aws-sdk/credential-providers";

const providers = {
  http: () => fromHttp(),
  container: () => fromContainerMetadata(),
  process: () => fromProcess({ profile: process.env.AWS_PROFILE }),
  chain: () => undefined,
};
const client = new STSClient({
  region: "eu-west-1",
  endpoint: process.env.AWS_ENDPOINT_URL,
  credentials: providers[process.argv[2]](),
});
for (let i = 0; i < 5; i++) {
  await client.send(new GetCallerIdentityCommand({}));
  await new Promise((r) => setTimeout(r, 1000));
}
