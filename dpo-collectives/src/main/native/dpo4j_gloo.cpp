// dpo4j's JNI shim over Gloo (Debian's libgloo-dev): one group per rank, built on a Java key-value store, and the
// collectives on the memory of direct ByteBuffers. Every Gloo error becomes a CollectivesException with Gloo's
// message; an exception that the Java store threw is passed on as it is. Calls for one group come from one thread.
#include <jni.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/reduce_scatter.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

namespace {

JavaVM* javaVm = nullptr;
const char* const kCollectivesException = "dev/dpo4j/core/distributed/CollectivesException";

// A Java exception is pending: unwind to the JNI entry point and return, so that Java sees it.
struct JavaExceptionPending : std::exception {};

JNIEnv* currentEnv() {
  JNIEnv* env = nullptr;
  if (javaVm == nullptr || javaVm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
    throw std::runtime_error("the Gloo store was called from a thread that Java does not know");
  }
  return env;
}

void checkJava(JNIEnv* env) {
  if (env->ExceptionCheck()) {
    throw JavaExceptionPending();
  }
}

// Gloo's rendezvous store, answered by the Java store (dev.dpo4j.collectives.internal.GlooStore).
class JavaStore : public gloo::rendezvous::Store {
 public:
  JavaStore(JNIEnv* env, jobject store, std::chrono::milliseconds timeout) : store_(store), timeout_(timeout) {
    jclass type = env->GetObjectClass(store);
    set_ = env->GetMethodID(type, "set", "(Ljava/lang/String;[B)V");
    get_ = env->GetMethodID(type, "get", "(Ljava/lang/String;)[B");
    wait_ = env->GetMethodID(type, "await", "([Ljava/lang/String;J)V");
    checkJava(env);
  }

  void set(const std::string& key, const std::vector<char>& data) override {
    JNIEnv* env = currentEnv();
    jstring jkey = env->NewStringUTF(key.c_str());
    jbyteArray value = env->NewByteArray(static_cast<jsize>(data.size()));
    checkJava(env);
    env->SetByteArrayRegion(value, 0, static_cast<jsize>(data.size()), reinterpret_cast<const jbyte*>(data.data()));
    env->CallVoidMethod(store_, set_, jkey, value);
    env->DeleteLocalRef(jkey);
    env->DeleteLocalRef(value);
    checkJava(env);
  }

  std::vector<char> get(const std::string& key) override {
    JNIEnv* env = currentEnv();
    jstring jkey = env->NewStringUTF(key.c_str());
    checkJava(env);
    auto value = static_cast<jbyteArray>(env->CallObjectMethod(store_, get_, jkey));
    env->DeleteLocalRef(jkey);
    checkJava(env);
    std::vector<char> data(env->GetArrayLength(value));
    env->GetByteArrayRegion(value, 0, static_cast<jsize>(data.size()), reinterpret_cast<jbyte*>(data.data()));
    env->DeleteLocalRef(value);
    return data;
  }

  void wait(const std::vector<std::string>& keys) override {
    wait(keys, timeout_);
  }

  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override {
    JNIEnv* env = currentEnv();
    jclass stringClass = env->FindClass("java/lang/String");
    jobjectArray jkeys = env->NewObjectArray(static_cast<jsize>(keys.size()), stringClass, nullptr);
    checkJava(env);
    for (size_t i = 0; i < keys.size(); i++) {
      jstring jkey = env->NewStringUTF(keys[i].c_str());
      env->SetObjectArrayElement(jkeys, static_cast<jsize>(i), jkey);
      env->DeleteLocalRef(jkey);
    }
    env->CallVoidMethod(store_, wait_, jkeys, static_cast<jlong>(timeout.count()));
    env->DeleteLocalRef(jkeys);
    env->DeleteLocalRef(stringClass);
    checkJava(env);
  }

 private:
  jobject store_;
  std::chrono::milliseconds timeout_;
  jmethodID set_;
  jmethodID get_;
  jmethodID wait_;
};

// One rank's group: Gloo's context (its pairs to every other rank) and the tag of the next collective.
struct Group {
  std::shared_ptr<gloo::rendezvous::Context> context;
  std::chrono::milliseconds timeout;
  uint32_t tag = 0;
  // The last reduce-scatter, kept for the next one of the same length: building one allocates and clears twice the
  // input's size of scratch memory and reserves slots on every pair. It works on its own copy of the input, so that
  // whether it is rebuilt depends on the length alone, which every rank shares (slots must match across ranks).
  std::unique_ptr<gloo::ReduceScatterHalvingDoubling<float>> reduceScatter;
  std::vector<float> reduceScatterInput;
};

Group* group(jlong handle) {
  if (handle == 0) {
    throw std::runtime_error("the group is closed");
  }
  return reinterpret_cast<Group*>(handle);
}

char* address(JNIEnv* env, jobject buffer, size_t* bytes) {
  void* data = env->GetDirectBufferAddress(buffer);
  jlong capacity = env->GetDirectBufferCapacity(buffer);
  if (capacity < 0 || (data == nullptr && capacity > 0)) {
    throw std::runtime_error("not a direct buffer");
  }
  *bytes = static_cast<size_t>(capacity);
  return static_cast<char*>(data);
}

// Runs f, turning a C++ exception into a CollectivesException; a pending Java exception is left as it is.
template <typename F>
auto guarded(JNIEnv* env, const char* what, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const JavaExceptionPending&) {
  } catch (const std::exception& e) {
    std::string message = std::string("Gloo ") + what + " failed: " + e.what();
    env->ThrowNew(env->FindClass(kCollectivesException), message.c_str());
  }
  return decltype(f())();
}

template <typename T>
void allReduceSum(Group* g, T* data, size_t elements) {
  gloo::AllreduceOptions options(g->context);
  options.setOutput<T>(data, elements);
  void (*sum)(void*, const void*, const void*, size_t) = &gloo::sum<T>;
  options.setReduceFunction(sum);
  options.setTag(g->tag++);
  options.setTimeout(g->timeout);
  gloo::allreduce(options);
}

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  javaVm = vm;
  return JNI_VERSION_1_8;
}

JNIEXPORT jlong JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_connect(JNIEnv* env, jclass, jobject store,
    jint rank, jint size, jstring hostname, jlong timeoutMillis) {
  return guarded(env, "rendezvous", [&]() -> jlong {
    const char* host = env->GetStringUTFChars(hostname, nullptr);
    gloo::transport::tcp::attr attr;
    attr.hostname = host;
    env->ReleaseStringUTFChars(hostname, host);
    auto device = gloo::transport::tcp::CreateDevice(attr);
    auto g = std::make_unique<Group>();
    g->timeout = std::chrono::milliseconds(timeoutMillis);
    g->context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    g->context->setTimeout(g->timeout);
    JavaStore javaStore(env, store, g->timeout);
    g->context->connectFullMesh(javaStore, device);
    return reinterpret_cast<jlong>(g.release());
  });
}

JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_allReduceSum(JNIEnv* env, jclass, jlong handle,
    jobject buffer, jboolean doubles) {
  guarded(env, "all-reduce", [&]() {
    size_t bytes;
    char* data = address(env, buffer, &bytes);
    if (doubles) {
      allReduceSum<double>(group(handle), reinterpret_cast<double*>(data), bytes / sizeof(double));
    } else {
      allReduceSum<float>(group(handle), reinterpret_cast<float*>(data), bytes / sizeof(float));
    }
  });
}

// Gloo's ReduceScatterHalvingDoubling (this Gloo has no reduce-scatter of the newer Options kind) leaves this rank's
// part of the sum at the start of its input; it is copied into the shard from there. The input is left as it was.
JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_reduceScatterSum(JNIEnv* env, jclass,
    jlong handle, jobject input, jobject shard) {
  guarded(env, "reduce-scatter", [&]() {
    Group* g = group(handle);
    size_t inBytes;
    size_t shardBytes;
    auto* in = reinterpret_cast<float*>(address(env, input, &inBytes));
    char* out = address(env, shard, &shardBytes);
    int size = g->context->size;
    if (inBytes != shardBytes * size || inBytes / sizeof(float) > 0x7fffffff) {
      throw std::runtime_error("the input must hold world size times the shard's bytes, under 2^31 elements");
    }
    int count = static_cast<int>(inBytes / sizeof(float));
    if (!g->reduceScatter || g->reduceScatterInput.size() != static_cast<size_t>(count)) {
      g->reduceScatter.reset();
      g->reduceScatterInput = std::vector<float>(count);
      std::vector<int> parts(size, count / size);
      g->reduceScatter = std::make_unique<gloo::ReduceScatterHalvingDoubling<float>>(
          g->context, std::vector<float*>{g->reduceScatterInput.data()}, count, parts);
    }
    std::memcpy(g->reduceScatterInput.data(), in, inBytes);
    g->reduceScatter->run();
    std::memcpy(out, g->reduceScatterInput.data(), shardBytes);
  });
}

JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_allGather(JNIEnv* env, jclass, jlong handle,
    jobject shard, jobject output) {
  guarded(env, "all-gather", [&]() {
    Group* g = group(handle);
    size_t inBytes;
    size_t outBytes;
    char* in = address(env, shard, &inBytes);
    char* out = address(env, output, &outBytes);
    if (outBytes != inBytes * g->context->size) {
      throw std::runtime_error("the output must hold world size times the shard's bytes");
    }
    gloo::AllgatherOptions options(g->context);
    options.setInput<char>(in, inBytes);
    options.setOutput<char>(out, outBytes);
    options.setTag(g->tag++);
    options.setTimeout(g->timeout);
    gloo::allgather(options);
  });
}

JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_broadcast(JNIEnv* env, jclass, jlong handle,
    jobject buffer, jint root) {
  guarded(env, "broadcast", [&]() {
    Group* g = group(handle);
    size_t bytes;
    char* data = address(env, buffer, &bytes);
    gloo::BroadcastOptions options(g->context);
    options.setOutput<char>(data, bytes);
    options.setRoot(root);
    options.setTag(g->tag++);
    options.setTimeout(g->timeout);
    gloo::broadcast(options);
  });
}

JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_barrier(JNIEnv* env, jclass, jlong handle) {
  guarded(env, "barrier", [&]() {
    Group* g = group(handle);
    gloo::BarrierOptions options(g->context);
    options.setTag(g->tag++);
    options.setTimeout(g->timeout);
    gloo::barrier(options);
  });
}

JNIEXPORT void JNICALL Java_dev_dpo4j_collectives_internal_GlooNative_close(JNIEnv* env, jclass, jlong handle) {
  guarded(env, "close", [&]() { delete group(handle); });
}

}  // extern "C"
