#pragma once

#include <nats/nats.h>

#include <memory>

namespace vctp::bus::detail {

/// Owners of cnats handles: each frees its handle with the library's own destroy function.
using ConnectionPtr = std::unique_ptr<natsConnection, decltype(&natsConnection_Destroy)>;
using JetStreamPtr = std::unique_ptr<jsCtx, decltype(&jsCtx_Destroy)>;
using OptionsPtr = std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)>;
using MsgPtr = std::unique_ptr<natsMsg, decltype(&natsMsg_Destroy)>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, decltype(&natsSubscription_Destroy)>;
using InboxPtr = std::unique_ptr<natsInbox, decltype(&natsInbox_Destroy)>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, decltype(&jsStreamInfo_Destroy)>;
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, decltype(&jsConsumerInfo_Destroy)>;
using PubAckPtr = std::unique_ptr<jsPubAck, decltype(&jsPubAck_Destroy)>;
using MetaDataPtr = std::unique_ptr<jsMsgMetaData, decltype(&jsMsgMetaData_Destroy)>;

}  // namespace vctp::bus::detail
