// Starts s3rver (npm, installed by scripts/test-deps.sh) for S3Server with six fixes to s3rver 3.7.1 itself, so
// that it behaves as S3 does where Gantry relies on it and the Minio .NET SDK talks to it as to MinIO or AWS:
// 1. s3rver answers listings in the XML namespace "http://doc.s3.amazonaws.com/2006-03-01/", where S3 uses
//    "http://s3.amazonaws.com/doc/2006-03-01/"; the SDK's XML reader checks the namespace and would see no keys.
// 2. Its continuation tokens are DES-encrypted, which OpenSSL 3 only offers with the legacy provider
//    (node --openssl-legacy-provider, passed by S3Server); without it every second page of a listing fails.
// 3. It writes an object (and its metadata) straight into the final file, and answers before that write has
//    finished, so concurrent PUTs of one key tear it and a GET right after a PUT can read part of it. S3 replaces
//    an object atomically once the PUT is answered; here the object is written to a temporary file and renamed.
// 4. After a DELETE it removes the folders the key left empty, and fails the DELETE with a 500 when a concurrent
//    PUT or DELETE in the same folder got there first; S3 has no folders, so here that tidying never fails a DELETE.
// 5. Node closes idle keep-alive connections after 5 s, sooner than .NET's connection pool lets them go, so a
//    request sent on a connection the server is closing fails in transport; real S3 and MinIO keep them far longer.
// 6. A listing walks the bucket's folder and fails with a 500 when a file or folder it has just seen is removed by
//    a concurrent DELETE (or renamed into place by fix 3) before it looks at it; here such an entry is skipped.
//    (The Minio SDK lists the bucket to answer "does the bucket exist", so this hit plain reads as well.)
// Usage: node --openssl-legacy-provider s3rver-start.js <s3rver package folder> <data folder> <address> <port>
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Readable, Transform } = require('stream');
const { pipeline } = require('stream/promises');

const [, , packageFolder, directory, address, port] = process.argv;

// Before s3rver's modules load, since they take walk from utils when they do (see fix 6).
const utils = require(path.join(packageFolder, 'lib', 'utils'));
utils.walk = function* walk(dir, recurseFilter) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }

  for (const name of names) {
    const filePath = path.posix.join(dir, name);
    let stats;
    try {
      stats = fs.statSync(filePath);
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }

    if (!stats.isDirectory()) {
      yield filePath;
    } else if (!recurseFilter || recurseFilter(filePath)) {
      yield* walk(filePath, recurseFilter);
    }
  }
};

const S3rver = require(packageFolder);
const FilesystemStore = require(path.join(packageFolder, 'lib', 'stores', 'filesystem'));
const S3Object = require(path.join(packageFolder, 'lib', 'models', 'object'));
const { pick, pickBy } = require(require.resolve('lodash', { paths: [packageFolder] }));

// Temporary names do not end in "._S3rver_object", so listings never show them.
async function writeAtomically(target, ...streams) {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${crypto.randomBytes(8).toString('hex')}.tmp`;
  try {
    await pipeline(...streams, fs.createWriteStream(temp));
    await fs.promises.rename(temp, target);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const md5 = crypto.createHash('md5');
  let size = 0;
  const counted = new Transform({
    transform(chunk, encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  await writeAtomically(this.getResourcePath(object.bucket, object.key, 'object'), content, counted);
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

// As s3rver's own putMetadata (lib/stores/filesystem.js), with each file written whole.
FilesystemStore.prototype.putMetadata = async function putMetadata(bucket, key, metadata, md5) {
  const json = {
    ...pick(metadata, S3Object.ALLOWED_METADATA),
    ...pickBy(metadata, (value, name) => name.startsWith('x-amz-meta-')),
  };
  if (md5) {
    await writeAtomically(this.getResourcePath(bucket, key, 'object.md5'), Readable.from([md5]));
  }

  await writeAtomically(this.getResourcePath(bucket, key, 'metadata.json'), Readable.from([JSON.stringify(json, null, 2)]));
};

const originalDeleteObject = FilesystemStore.prototype.deleteObject;
FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  try {
    await originalDeleteObject.call(this, bucket, key);
  } catch (error) {
    // Only the folder tidying can fail this way; the object's own files are gone by then.
    if (!['ENOENT', 'ENOTEMPTY'].includes(error.code)) {
      throw error;
    }
  }
};

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
  () => {
    server.httpServer.keepAliveTimeout = 120000;
    server.httpServer.headersTimeout = 125000;
    console.log('ready');
  },
  (error) => {
    console.error(error);
    process.exit(1);
  });
