// Starts s3rver (npm, installed by scripts/test-deps.sh) for S3Server with two fixes to s3rver 3.7.1 itself, so
// that the Minio .NET SDK talks to it as it talks to MinIO or AWS:
// 1. s3rver answers listings in the XML namespace "http://doc.s3.amazonaws.com/2006-03-01/", where S3 uses
//    "http://s3.amazonaws.com/doc/2006-03-01/"; the SDK's XML reader checks the namespace and would see no keys.
// 2. Its continuation tokens are DES-encrypted, which OpenSSL 3 only offers with the legacy provider
//    (node --openssl-legacy-provider, passed by S3Server); without it every second page of a listing fails.
// Usage: node --openssl-legacy-provider s3rver-start.js <s3rver package folder> <data folder> <address> <port>
'use strict';

const [, , packageFolder, directory, address, port] = process.argv;
const S3rver = require(packageFolder);

const foreignNamespace = 'xmlns="http://doc.s3.amazonaws.com/2006-03-01/"';
const s3Namespace = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

const server = new S3rver({ directory, address, port: Number(port), silent: true });
// Outermost, so it sees the XML that s3rver's own middleware has rendered.
server.middleware.unshift(async (ctx, next) => {
  await next();
  if (typeof ctx.body === 'string' && ctx.body.includes(foreignNamespace)) {
    ctx.body = ctx.body.replace(foreignNamespace, s3Namespace);
  }
});

server.run().then(
  () => console.log('ready'),
  (error) => {
    console.error(error);
    process.exit(1);
  });
