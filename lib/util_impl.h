/* Helpers shared by the block implementations: constructor errors in one format, owning
 * handles for core objects, and the stream tag keys (docs/stream-tags.md lists them all). */
#ifndef INCLUDED_SECUREJSCC_UTIL_IMPL_H
#define INCLUDED_SECUREJSCC_UTIL_IMPL_H

#include <gnuradio/block.h>
#include <gnuradio/tags.h>
#include <pmt/pmt.h>
#include <securejscc/error.h>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {
namespace util {

/* Every constructor failure reads "securejscc.<block>: <parameter>: <detail>", so a user
 * of GRC sees at once which block and which field to fix. */
inline std::string message(const std::string& block, const std::string& param, const std::string& detail)
{
    return "securejscc." + block + ": " + param + ": " + detail;
}

[[noreturn]] inline void fail_arg(const std::string& block, const std::string& param, const std::string& detail)
{
    throw std::invalid_argument(message(block, param, detail));
}

/* A failed core call: the core's own detail (sj_last_error) is the most specific text. I/O
 * and resource failures are runtime errors; everything else is a bad argument. */
[[noreturn]] inline void fail_core(const std::string& block, const std::string& param, sj_status st)
{
    std::string detail = sj_last_error();
    if (detail.empty())
        detail = sj_strerror(st);
    const std::string msg = message(block, param, detail);
    if (st == SJ_ERR_IO || st == SJ_ERR_NOMEM || st == SJ_ERR_CRYPTO)
        throw std::runtime_error(msg);
    throw std::invalid_argument(msg);
}

inline void check(const std::string& block, const std::string& param, sj_status st)
{
    if (st != SJ_OK)
        fail_core(block, param, st);
}

/* Guard levels of the 16-level quantiser (quantizer.h): checked here, not only by the
 * core, so that the error names `guard` rather than `levels`. Bad levels are left to the
 * core's check, which names them. */
inline void check_guard(const std::string& block, unsigned levels, int guard)
{
    if (guard < 0)
        fail_arg(block, "guard", "must be >= 0, got " + std::to_string(guard));
    if (levels >= 2 && static_cast<unsigned>(guard) > levels - 2)
        fail_arg(block, "guard",
                 "must leave at least 2 of the " + std::to_string(levels) + " levels in use (guard <= " +
                     std::to_string(levels - 2) + "), got " + std::to_string(guard));
}

/* Core detail of a failed per-frame call, for the block's logger (work() must not throw:
 * one bad frame should not stop a radio). */
inline std::string core_detail(sj_status st)
{
    std::string detail = sj_last_error();
    return detail.empty() ? std::string(sj_strerror(st)) : detail;
}

/* Owning pointer for a core object with its _destroy function. */
template <typename T, void (*Destroy)(T*)>
struct core_deleter {
    void operator()(T* p) const { Destroy(p); }
};
template <typename T, void (*Destroy)(T*)>
using core_ptr = std::unique_ptr<T, core_deleter<T, Destroy>>;

/* Tag keys, interned once. */
inline const pmt::pmt_t& key_frame() { static const pmt::pmt_t k = pmt::mp("sj_frame"); return k; }
inline const pmt::pmt_t& key_nonce() { static const pmt::pmt_t k = pmt::mp("sj_nonce"); return k; }
inline const pmt::pmt_t& key_lwe_d() { static const pmt::pmt_t k = pmt::mp("sj_lwe_d"); return k; }
inline const pmt::pmt_t& key_noise_var() { static const pmt::pmt_t k = pmt::mp("sj_noise_var"); return k; }
inline const pmt::pmt_t& key_byteq_offset() { static const pmt::pmt_t k = pmt::mp("sj_byteq_offset"); return k; }
inline const pmt::pmt_t& key_byteq_scale() { static const pmt::pmt_t k = pmt::mp("sj_byteq_scale"); return k; }
inline const pmt::pmt_t& key_width() { static const pmt::pmt_t k = pmt::mp("sj_width"); return k; }
inline const pmt::pmt_t& key_height() { static const pmt::pmt_t k = pmt::mp("sj_height"); return k; }
inline const pmt::pmt_t& key_source() { static const pmt::pmt_t k = pmt::mp("sj_source"); return k; }

/* The first tag with this key among a frame's tags (the block fetches them with
 * get_tags_in_range over the whole frame: side data sits on a frame's first item, but any
 * item of the frame is accepted so that a tag moved by a few items does not lose a frame). */
inline bool find_tag(const std::vector<gr::tag_t>& tags, const pmt::pmt_t& key, gr::tag_t& out)
{
    for (const auto& t : tags) {
        if (pmt::eq(t.key, key)) {
            out = t;
            return true;
        }
    }
    return false;
}

/* A frame's LWE side data d: the values of its sj_lwe_d tag when that is a u16vector of
 * dlen values, else nullptr (the caller logs and zero-fills the frame). */
inline const uint16_t* lwe_d_of_frame(const std::vector<gr::tag_t>& tags, size_t dlen)
{
    gr::tag_t t;
    if (!find_tag(tags, key_lwe_d(), t) || !pmt::is_u16vector(t.value) || pmt::length(t.value) != dlen)
        return nullptr;
    size_t len = 0;
    return pmt::u16vector_elements(t.value, len);
}

/* For blocks with TPP_DONT that change the rate: the tags of one input frame starting at
 * in_start, moved to the output frame starting at out_start with offsets scaled by num/den,
 * without the keys in skip (side data the block has consumed). */
inline std::vector<gr::tag_t> moved_tags(const std::vector<gr::tag_t>& tags, uint64_t in_start, uint64_t out_start,
                                         uint64_t num, uint64_t den, const std::vector<pmt::pmt_t>& skip = {})
{
    std::vector<gr::tag_t> out;
    for (auto t : tags) {
        bool drop = false;
        for (const auto& k : skip)
            drop = drop || pmt::eq(t.key, k);
        if (drop)
            continue;
        t.offset = out_start + (t.offset - in_start) * num / den;
        out.push_back(t);
    }
    return out;
}

/* A positive noise variance from a tag value (double, float or integer PMT), or false. */
inline bool noise_var_from_pmt(const pmt::pmt_t& v, float& out)
{
    if (!pmt::is_number(v) || pmt::is_complex(v))
        return false;
    const double x = pmt::to_double(v);
    if (!(x > 0.0) || !std::isfinite(x))
        return false;
    out = static_cast<float>(x);
    return true;
}

/* Frame-rate-changing blocks (general blocks turning frames of in_frame items into frames
 * of out_frame items): the input their forecast asks for, and how many whole frames one
 * general_work call can process. */
inline int frames_forecast(int noutput_items, size_t in_frame, size_t out_frame)
{
    const size_t frames = std::max<size_t>(1, static_cast<size_t>(noutput_items) / out_frame);
    return static_cast<int>(frames * in_frame);
}

inline size_t frames_ready(int ninput_items, int noutput_items, size_t in_frame, size_t out_frame)
{
    return std::min(static_cast<size_t>(ninput_items) / in_frame, static_cast<size_t>(noutput_items) / out_frame);
}

/* Setters of a noise variance accept only finite values > 0. */
inline bool valid_noise_var(float v) { return v > 0.0f && std::isfinite(v); }

/* A block's noise variance: the constructor's value (init, which throws naming the block),
 * changed by set_noise_var (bad values are logged and ignored: a running radio must not
 * stop), overridden for one frame by a valid sj_noise_var tag among the frame's tags. */
class noise_var_param
{
    std::atomic<float> d_value{ 1.0f };

public:
    void init(const std::string& block, float v)
    {
        if (!valid_noise_var(v))
            fail_arg(block, "noise_var", "must be a finite value > 0, got " + std::to_string(v));
        d_value = v;
    }
    float get() const { return d_value; }
    void set(const gr::logger_ptr& log, float v)
    {
        if (valid_noise_var(v))
            d_value = v;
        else
            log->error("set_noise_var: ignored {}, must be a finite value > 0", v);
    }
    float for_frame(const std::vector<gr::tag_t>& tags, const gr::logger_ptr& log, uint64_t start) const
    {
        float nv = d_value;
        gr::tag_t t;
        if (find_tag(tags, key_noise_var(), t) && !noise_var_from_pmt(t.value, nv))
            log->warn("frame at item {}: sj_noise_var tag is not a number > 0; using {}", start, nv);
        return nv;
    }
};

} // namespace util
} // namespace securejscc
} // namespace gr

#endif
