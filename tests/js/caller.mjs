// The JavaScript SDK v3 under a profile name: `node caller.mjs PROFILE` prints the caller's ARN
// twice, once through fromIni({ profile }) and once through the default chain with AWS_PROFILE,
// the two ways applications name a profile. STS goes to AWS_ENDPOINT_URL (the sandbox).
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni, fromNodeProviderChain } from "@aws-sdk/credential-providers";

const profile = process.argv[2];
const endpoint = process.env.AWS_ENDPOINT_URL;
const region = "eu-west-1";
try {
  for (const credentials of [fromIni({ profile }), fromNodeProviderChain({ profile })]) {
    const sts = new STSClient({ region, endpoint, credentials });
    const id = await sts.send(new GetCallerIdentityCommand({}));
    console.log(id.Arn);
  }
} catch (e) {
  console.error(`${e.name}: ${e.message}`);
  process.exit(1);
}
