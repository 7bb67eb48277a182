<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW" sourcelanguage="zh_CN">
<context>
    <name>kiosk</name>
    <message>
        <source>政务服务自助终端</source>
        <translation>政務服務自助終端</translation>
    </message>
    <message>
        <source>English</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>呼叫工作人员</source>
        <translation>呼叫工作人員</translation>
    </message>
    <message>
        <source>已通知工作人员，请稍候。服务电话：{phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在联系工作人员，请稍候…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>工作人员已收到您的呼叫，正在赶来，请稍候。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时联系不上工作人员（网络不通），呼叫没有发出。请拨打服务电话 {phone}，或到服务台求助。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机暂停服务</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请到其他自助终端或服务台办理。服务电话：{phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在更新系统</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机正在安装新版本，约需几分钟，完成后自动恢复服务。
急需办理请到其他自助终端或服务台。服务电话：{phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请将身份证放在读卡区</source>
        <translation>請將身份證放在讀卡區</translation>
    </message>
    <message>
        <source>放好后请稍等，系统会自动读取。全程无需填表，多数事项即办即取。</source>
        <translation>放好後請稍等，系統會自動讀取。全程無需填表，多數事項即辦即取。</translation>
    </message>
    <message>
        <source>扫码查询办件进度</source>
        <translation>掃碼查詢辦件進度</translation>
    </message>
    <message>
        <source>请取走您的身份证。</source>
        <translation>請取走您的身份證。</translation>
    </message>
    <message>
        <source>正在读取身份证，请不要移动…</source>
        <translation>正在讀取身份證，請不要移動…</translation>
    </message>
    <message>
        <source>您好，{name}</source>
        <translation>您好，{name}</translation>
    </message>
    <message>
        <source>请选择要办理的事项</source>
        <translation>請選擇要辦理的事項</translation>
    </message>
    <message>
        <source>即时办结</source>
        <translation>即時辦結</translation>
    </message>
    <message>
        <source>需拍摄材料</source>
        <translation>需拍攝材料</translation>
    </message>
    <message>
        <source>查询</source>
        <translation>查詢</translation>
    </message>
    <message>
        <source>办理条件</source>
        <translation>辦理條件</translation>
    </message>
    <message>
        <source>所需材料</source>
        <translation>所需材料</translation>
    </message>
    <message>
        <source>办理步骤</source>
        <translation>辦理步驟</translation>
    </message>
    <message>
        <source>设定依据</source>
        <translation>設定依據</translation>
    </message>
    <message>
        <source>即办</source>
        <translation>即辦</translation>
    </message>
    <message>
        <source>收费：{fee}</source>
        <translation>收費：{fee}</translation>
    </message>
    <message>
        <source>办理部门：{dept}</source>
        <translation>辦理部門：{dept}</translation>
    </message>
    <message>
        <source>开始办理</source>
        <translation>開始辦理</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>请先放置身份证</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>办理“{item}”需要读取您的身份证。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>拍摄：{material}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请把材料平放在拍摄区内，四角都在框内，然后按“拍照”。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>拍照</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>重拍</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>使用这张照片</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有拍到清晰的照片。请把材料放平、不要遮挡，再试一次。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在拍照…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请把材料平放在拍摄区内。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>太暗了，请把材料移到灯光下。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>反光太强，请稍微调整材料的角度。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请放好材料，手离开，保持不动。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>看不清字，请把材料压平。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>很好，请保持不动，马上自动拍照…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在核验材料，约{seconds}秒，请稍候…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ 材料核验通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ 材料未通过核验：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未能及时自动核验，可以使用这张照片，由工作人员核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时无法自动核验，可以使用这张照片，由工作人员核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>摄像头暂时无法使用，请联系工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请核对后提交</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>办理事项</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>申请人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>材料</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已拍摄</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已读取</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>出租方</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>承租方</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>经营场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>租赁期限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{start} 至 {end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确认提交</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在提交，请稍候…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>通常需要几秒钟，最长约 {seconds} 秒。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提交没有成功，您的资料没有丢失。请按“重试”，或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机存储空间已满，这次申请没有提交成功。请呼叫工作人员处理，之后再按“重试”。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>重试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>办理成功</source>
        <translation>辦理成功</translation>
    </message>
    <message>
        <source>未能办理</source>
        <translation>未能辦理</translation>
    </message>
    <message>
        <source>已受理</source>
        <translation>已受理</translation>
    </message>
    <message>
        <source>办件编号：{case}</source>
        <translation>辦件編號：{case}</translation>
    </message>
    <message>
        <source>网络暂时不通，您的申请已安全保存，联网后自动提交。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。</source>
        <translation>網絡暫時不通，您的申請已安全保存，聯網後自動提交。請保管好回執：在任一自助機點「查詢辦件進度」並掃描回執二維碼即可查看結果。</translation>
    </message>
    <message>
        <source>请在下方出纸口取走证明和回执。</source>
        <translation>請在下方出紙口取走證明和回執。</translation>
    </message>
    <message>
        <source>正在打印，请稍候…</source>
        <translation>正在打印，請稍候…</translation>
    </message>
    <message>
        <source>打印完成，请取走。</source>
        <translation>打印完成，請取走。</translation>
    </message>
    <message>
        <source>重新打印</source>
        <translation>重新打印</translation>
    </message>
    <message>
        <source>打印机暂时无法打印，您的办件已保存。请记下上面的办件编号，按“重新打印”再试，或呼叫工作人员。</source>
        <translation>打印機暫時無法打印，您的辦件已保存。請記下上面的辦件編號，按「重新打印」再試，或呼叫工作人員。</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>请为本次服务评价</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>非常满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>基本满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>非常不满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>有多满意？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>有多不满意？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>哪里让您不满意？可以多选，也可以直接提交。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>等待时间太长</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>操作太难，看不懂</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设备故障（读卡、拍照、打印）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>对办理结果不满意</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提交评价</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不评价，直接结束</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>谢谢您的评价！</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请点一个按钮评价本次服务；不想评价可以直接离开。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>感谢使用，请取走身份证和回执。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>办件进度查询</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请把回执上的二维码对准摄像头，没有回执请把身份证放在读卡区</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>还没有识别到二维码。请把回执拿稳，二维码朝向摄像头，距离约20厘米。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在查询…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这不是本中心回执上的二维码，请换一张回执再试。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时无法连接政务服务中心。本机记录：该件已于 {time} 保存，正在等待提交。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时无法连接政务服务中心，请稍后再试或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有找到这个办件，请核对回执或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>进行中 · 已用 {t}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已完成 · 用时 {t}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未开始</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>补打证书（还可{n}次）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在打印证书…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证书已重新打印，请在出证口取走。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这份证书的补打次数已用完，请到服务窗口办理。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印机暂时无法打印，请稍后再试或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证明真实有效：{name}，{cid}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>该证明二维码校验失败，可能被篡改。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>该证明已过有效期。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法识别签发机构的密钥。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>二维码内容不完整。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证明核验结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ 真实有效</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>二维码由政务服务中心签发，没有被改动过。请逐项核对下面的内容和纸面是否一致，不一致即为被改动。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ 核验未通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>二维码的内容和签发时不一致，可能被改动过。请不要使用这份证明，并联系工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已过有效期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这份证明是真的，但已经过了有效期。如需新的证明，请重新办理。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时无法核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机还不认识签发这份证明的密钥。请稍后再试，或请工作人员核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>二维码不完整</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>二维码没有读全或已损坏。请把证明放平、拿稳后再扫一次。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证明编号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>持证人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>签发日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>有效期至</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>长期有效</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证明名称、编号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>签发机关、日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>下一页内容</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>回到第一页</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>旧版证明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这是旧版二维码，只能核对姓名、证件号码和编号，不能核对其他内容。请重新打印一份新证明。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂不支持的版本</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这个二维码的格式比本机新，暂时无法核验。请稍后再试，或请工作人员核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这个二维码不是本中心的回执或证明。查进度请扫回执上的二维码。</source>
        <translation>這個二維碼不是本中心的回執或證明。查進度請掃回執上的二維碼。</translation>
    </message>
    <message>
        <source>身份证读不出？拍照办理</source>
        <translation>身份證讀不出？拍照辦理</translation>
    </message>
    <message>
        <source>拍照办理：请选择事项。身份证照片由工作人员核验后办理。</source>
        <translation>拍照辦理：請選擇事項。身份證照片由工作人員核驗後辦理。</translation>
    </message>
    <message>
        <source>“{item}”是即时办结事项，必须用读卡器读取身份证原件，照片不能用于即时审批。请选其他事项，或请工作人员帮助读卡。</source>
        <translation>「{item}」是即時辦結事項，必須用讀卡器讀取身份證原件，照片不能用於即時審批。請選其他事項，或請工作人員幫助讀卡。</translation>
    </message>
    <message>
        <source>暂时没有，承诺补交</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>先办理，后补交：请阅读承诺</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>补交期限：{date}前</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>按“我承诺”即表示您同意以上承诺，回执上会打印补交期限。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>我承诺</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>承诺{date}前补交</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已拍照，由工作人员核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>身份核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>身份证照片（工作人员核验）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未能读出</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您还在吗？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>为保护您的个人信息，{n} 秒后将自动退出并清除本次资料。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>我还在，继续办理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>长辈版</source>
        <translation>長輩版</translation>
    </message>
    <message>
        <source>标准版</source>
        <translation>標準版</translation>
    </message>
    <message>
        <source>重听</source>
        <translation>重聽</translation>
    </message>
    <message>
        <source>静音</source>
        <translation>靜音</translation>
    </message>
    <message>
        <source>开声音</source>
        <translation>開聲音</translation>
    </message>
    <message>
        <source>下一步：请按“{action}”。</source>
        <translation>下一步：請按「{action}」。</translation>
    </message>
    <message>
        <source>长辈版：大字、语音</source>
        <translation>長輩版：大字、語音</translation>
    </message>
    <message>
        <source>更多事项（第{page}/{pages}页）</source>
        <translation>更多事項（第{page}/{pages}頁）</translation>
    </message>
    <message>
        <source>不到1秒</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{m}分{s}秒</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{h}小时{m}分</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{d}天{h}小时</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{s}秒</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>一件事一次办</source>
        <translation>一件事一次辦</translation>
    </message>
    <message>
        <source>需到窗口办理</source>
        <translation>需到窗口辦理</translation>
    </message>
    <message>
        <source>自助服务</source>
        <translation>自助服務</translation>
    </message>
    <message>
        <source>常用事项</source>
        <translation>常用事項</translation>
    </message>
    <message>
        <source>拼音搜索</source>
        <translation>拼音搜索</translation>
    </message>
    <message>
        <source>收起键盘</source>
        <translation>收起鍵盤</translation>
    </message>
    <message>
        <source>按拼音或首字母搜索，例如 jzz（居住证）</source>
        <translation>按拼音或首字母搜索，例如 jzz（居住證）</translation>
    </message>
    <message>
        <source>搜索：{query}</source>
        <translation>搜索：{query}</translation>
    </message>
    <message>
        <source>没有找到“{query}”，请换个说法，或点下方的常用说法。</source>
        <translation>沒有找到「{query}」，請換個說法，或點下方的常用說法。</translation>
    </message>
    <message>
        <source>第{page}/{pages}页 · {count}项</source>
        <translation>第{page}/{pages}頁 · {count}項</translation>
    </message>
    <message>
        <source>◀ 上一页</source>
        <translation>◀ 上一頁</translation>
    </message>
    <message>
        <source>下一页 ▶</source>
        <translation>下一頁 ▶</translation>
    </message>
    <message>
        <source>“{item}”在这台自助机上暂不能办理，请到服务大厅窗口办理，或点“呼叫工作人员”。</source>
        <translation>「{item}」在這台自助機上暫不能辦理，請到服務大廳窗口辦理，或點「呼叫工作人員」。</translation>
    </message>
    <message>
        <source>⌫ 删除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>清空</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>常用说法：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>此事项需要到服务大厅窗口办理：请带齐上面列出的材料前往窗口。</source>
        <translation>此事項需要到服務大廳窗口辦理：請帶齊上面列出的材料前往窗口。</translation>
    </message>
    <message>
        <source>您的身份证已于 {date} 过期，不能办理。请先到派出所换领新证（可办理临时身份证），或点“呼叫工作人员”。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>人证核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取身份证照片，约需 1 秒…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩，然后眨一眨眼。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>还剩 {s} 秒</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有看到您的脸，请站到屏幕正前方。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>很好，请眨一眨眼或慢慢转一下头。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请本人办理，正对摄像头。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这次没有看清您的脸。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这次未能确认是身份证本人。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这次没有看到您眨眼或转头。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请再试一次（还可以试 {n} 次）。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>再试一次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>跳过核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩，然后慢慢把头转向一侧，再转回来。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>很好，请慢慢把头转向左边或右边，再转回来。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这次没有看到您转头。</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>法定时限 %n 个工作日 · 承诺时限 {promised}</source>
        <translation>
            <numerusform>法定時限 %n 個工作日 · 承諾時限 {promised}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n 个工作日</source>
        <translation>
            <numerusform>%n 個工作日</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>您的申请已保存并受理，将在 %n 个工作日内办结。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。</source>
        <translation>
            <numerusform>您的申請已保存並受理，將在 %n 個工作日內辦結。請保管好回執：在任一自助機點「查詢辦件進度」並掃描回執二維碼即可查看結果。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>提醒：您的身份证将于 {date} 到期（还有 %n 天），请尽早到派出所换领。</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{title}（已领取，补打还可%n次）
{issuer}</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>有 %n 份没能打印出来：已排队，打印机恢复后会自动打印；也可呼叫工作人员。</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>已超过承诺时限 %n 天。请点“呼叫工作人员”取号到窗口询问。</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>证照领取</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>营业执照打印</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在查询可领取的证照，约需几秒…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>以下证照已审批完成，请点选要打印的，再按“打印所选”。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时没有您可领取的证照。审批完成后即可在任一自助机打印；如有疑问请呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有查到您担任法定代表人的企业。如有疑问请呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时连不上政务服务中心，无法查询可领取的证照。请稍后再试或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}
{issuer} · {day} 审批</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}（已领取，补打次数已用完，请到窗口）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}
统一社会信用代码 {uscc}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印所选</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在打印，每份约需 10 秒，请在出证口等候…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已打印 {n} 份，请在出证口取走。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>该证照的补打次数已用完，请到人工窗口办理。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提醒：您的{title}将于 {day} 到期，可办理“{renew}”。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>企业信息公示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在查询企业信息…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有查到这家企业，请核对执照或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时连不上政务服务中心，无法查询企业信息，请稍后再试。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>名称</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>法定代表人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>住所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>经营范围</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>成立日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登记状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登记机关</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>取号到窗口办理</source>
        <translation>取號到窗口辦理</translation>
    </message>
    <message>
        <source>取号到人工窗口</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印一张排队号，工作人员扫码即可接着您已办的部分继续办理，不用重新填写。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印排队号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在取号并打印，约需几秒…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您的排队号：{number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请到 {window} 等候叫号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>网络暂时不通：这是本机临时号，窗口会按此号叫号。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>排队号已打印，请取走。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>排队号没能打印出来，请记下上面的号码，或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂时无法取号，请直接呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>对这家企业有意见？点一下即可匿名转交市场监管部门：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无证经营</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>食品安全</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>价格问题</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>服务态度</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>表扬</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已记录，将转交市场监管部门处理。谢谢您！</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没能记录您的意见，请稍后再试或拨打 12315。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不到1分钟</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>承诺 {day} 前办结</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已办结</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在查询您名下的办件…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有查到您名下近期的办件。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{case}
{item} · {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>办理中</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已批准</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未予批准</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>留手机号，办结时短信告知</source>
        <translation>留手機號，辦結時短信告知</translation>
    </message>
    <message>
        <source>办结短信通知（可选）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输入您的手机号，办结后发短信告知；不留也可以凭回执或身份证在自助机查询。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退格</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请输入11位手机号码，以1开头。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已记下 {phone}，办结后将发短信告知。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没能记下号码，请凭回执查询进度，或呼叫工作人员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输入办件编号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请输入办件编号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请输入回执上办件编号的13位数字（日期8位和序号5位）。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>还差几位数字，请核对回执。</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
